#pragma once
// Dates as pages write them in metadata.

#include <optional>
#include <string_view>

#include "wirewatch/common/time.hpp"

namespace wirewatch {

// ISO 8601 / RFC 3339 as found in JSON-LD, meta tags and <time datetime>:
// "2024-03-05", "2024-03-05T10:20", "2024-03-05T10:20:30Z",
// "2024-03-05 10:20:30+02:00", "2024-03-05T10:20:30.123-0500", "20240305".
// A time without a zone is taken as UTC. nullopt when not a date.
std::optional<TimePoint> parse_iso_date_time(std::string_view text);

}  // namespace wirewatch
