#pragma once
// Durations and sizes as written in config files: the unit is part of the value
// (`30s`, `5m`, `6h`, `30d`; `100B`, `64KiB`, `10MiB`, `1GiB`, `1MB`).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wirewatch {

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);
std::optional<std::uint64_t> parse_size(std::string_view text);

}  // namespace wirewatch
