#pragma once
// Dates as feeds write them → UTC.
//
// RFC 822/1123/2822 and the variants found in the wild: two- and four-digit
// years, zone names (GMT, UT, EST, MSK, CEST, military letters, ...) and numeric
// offsets (+0300, +03:00, +03), missing weekday, seconds or zone (UTC assumed),
// missing space after the comma, full month and day names, the month before the
// day, asctime(). RFC 3339 / ISO 8601 / W3C-DTF: `2024-03-01T12:34:56Z`, offsets,
// fractions, a space for the `T`, dates without a time (midnight UTC), the basic
// format `20240301T123456Z`. Out-of-range fields are rejected, never wrapped.

#include <optional>
#include <string_view>

#include "wirewatch/common/time.hpp"

namespace wirewatch::connectors {

std::optional<TimePoint> parse_rfc822_date(std::string_view text);
std::optional<TimePoint> parse_iso8601_date(std::string_view text);
// Whichever of the two the text looks like.
std::optional<TimePoint> parse_feed_date(std::string_view text);

}  // namespace wirewatch::connectors
