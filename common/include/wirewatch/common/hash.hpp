#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wirewatch {

// SHA-256 through OpenSSL's libcrypto.
std::array<std::uint8_t, 32> sha256(std::string_view data);
// Lowercase hex of the first `bytes` bytes of SHA-256(data).
std::string sha256_hex(std::string_view data, std::size_t bytes = 32);

}  // namespace wirewatch
