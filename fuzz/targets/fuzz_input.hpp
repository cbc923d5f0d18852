#pragma once
// Helpers shared by the fuzz targets: the input as text, and cutting options
// off its front so one byte string drives both the options and the parsed
// bytes.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wirewatch::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Removes and returns the first byte (0 when the input is empty).
inline unsigned char take_byte(std::string_view& in) {
  if (in.empty()) return 0;
  auto b = static_cast<unsigned char>(in.front());
  in.remove_prefix(1);
  return b;
}

// Removes and returns everything up to the first '\n' (the newline is dropped);
// the whole input when there is none.
inline std::string_view take_line(std::string_view& in) {
  auto nl = in.find('\n');
  auto line = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return line;
}

// Stops the run as a crash, so a broken invariant is found and saved like one.
[[noreturn]] inline void invariant_failed() { __builtin_trap(); }

}  // namespace wirewatch::fuzz
