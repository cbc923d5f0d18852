#pragma once
// What one poll does to a feed's state, and when the feed is polled next.
// Pure functions of (state, fetch result, now, a uniform random number), so the
// scheduler's rules are tested without threads, sockets or waiting:
// - after a success (2xx or 304) the next poll is interval × U(0.9, 1.1), where
//   the interval is raised (never lowered) by Cache-Control max-age, up to
//   `max_interval`;
// - after a failure it is U(0, min(max_backoff, interval × 2^failures)) — full
//   jitter — but never sooner than `min_retry`, and never before Retry-After;
//   failing feeds are never given up;
// - 410 Gone disables the feed (`gone`), until the daemon resets its state;
// - a request not sent because its host is within a Retry-After moves the next
//   poll to that time and changes nothing else.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

namespace wirewatch::connectors {

struct FeedSource {
  std::string id, url;
  std::chrono::milliseconds interval{300'000};
  bool articles = false;  // fetch each new item's linked page
};

struct FeedState {  // persisted by the daemon between polls and restarts
  std::string url;  // current URL: the source's, or where a 301/308 moved it
  std::string etag, last_modified;
  std::optional<wirewatch::TimePoint> last_success, next_poll;
  long last_status = 0;  // HTTP status of the last poll; 0: no response (see last_error)
  std::string last_error;
  int consecutive_failures = 0;
  bool gone = false;             // 410: not polled any more; last_error says so
  std::uint64_t items_seen = 0;  // new items found, over the feed's life
  bool bozo = false;             // the last body parsed was not well-formed (recovered)
  // The configured URL `url` started from. When the configuration names another
  // URL, FeedPoller::add() starts the state afresh (url, validators, gone).
  std::string source_url;
};

// A feed's status for the `wirewatch feeds` table.
enum class FeedStatus {
  pending,       // never polled
  ok,            // the last poll succeeded (2xx or 304)
  failing,       // the last poll failed; retried with backoff
  rate_limited,  // the last answer was 429/503 with Retry-After
  gone,          // 410: disabled
};
FeedStatus feed_status(const FeedState& state);
std::string_view to_string(FeedStatus status);

struct ScheduleOptions {
  std::chrono::milliseconds max_backoff{6LL * 3600 * 1000};
  std::chrono::milliseconds min_retry{30'000};                 // floor of a failure's delay
  std::chrono::milliseconds max_interval{24LL * 3600 * 1000};  // cap of a max-age raise
};

using PollClock = std::chrono::system_clock;

// The delay after a success: max(interval, min(max_age, max_interval)) × (0.9 + 0.2u).
std::chrono::milliseconds success_delay(std::chrono::milliseconds interval,
                                        std::optional<std::chrono::seconds> max_age,
                                        const ScheduleOptions& options, double u);

// The delay after the `failures`-th failure in a row (≥ 1), before Retry-After.
std::chrono::milliseconds failure_delay(std::chrono::milliseconds interval, int failures,
                                        const ScheduleOptions& options, double u);

// What a fetch result does to the state, other than parsing.
enum class PollAction {
  parse,         // 2xx: parse the body, then record_success or record_parse_failure
  not_modified,  // 304: recorded as a success, nothing to parse
  failed,        // recorded as a failure (backoff)
  gone,          // 410: recorded, the feed is disabled
  deferred,      // not sent (host within Retry-After); only the next poll moved
};

// Applies `result` to `state` and returns what to do next and when to poll
// again (nullopt: never, the feed is gone). For `parse`, the validators, URL,
// status and next poll are already updated; the caller then records the parse
// with record_parse_success() or record_parse_failure().
struct PollDecision {
  PollAction action = PollAction::failed;
  std::optional<PollClock::time_point> next;
};
PollDecision apply_fetch(FeedState& state, const FeedSource& source, const FetchResult& result,
                         PollClock::time_point now, const ScheduleOptions& options, double u);

// A 2xx body parsed: a success; `bozo` with its `error` when it was recovered.
void record_parse_success(FeedState& state, bool bozo, std::string_view error, PollClock::time_point now);

// A 2xx body from which nothing could be parsed: a failure with backoff; the
// validators are dropped so the next poll fetches the whole body again.
PollClock::time_point record_parse_failure(FeedState& state, const FeedSource& source, std::string_view error,
                                           PollClock::time_point now, const ScheduleOptions& options,
                                           double u);

}  // namespace wirewatch::connectors
