// Dates as feeds, pages and HTTP headers write them: RFC 822/1123/2822 and
// their variants, RFC 3339 / ISO 8601 / W3C-DTF, Retry-After and Cache-Control
// max-age.

#include "wirewatch/connectors/dates.hpp"

#include <chrono>

#include "fuzz_input.hpp"
#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"
#include "wirewatch/normalizer/date.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;

namespace {

// Every date a parser returns can be written as an alert's timestamp.
void check(const std::optional<TimePoint>& t) {
  if (t) (void)format_utc(*t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto rfc822 = parse_rfc822_date(in);
  auto iso = parse_iso8601_date(in);
  auto either = parse_feed_date(in);
  check(rfc822);
  check(iso);
  check(either);
  // parse_feed_date picks one of the two readers; it never invents a third
  // answer.
  if (either && either != rfc822 && either != iso) fuzz::invariant_failed();
  check(parse_iso_date_time(in));
  check(parse_retry_after(in, TimePoint(std::chrono::seconds(1'700'000'000))));
  (void)parse_max_age(in);
  return 0;
}
