#include "wirewatch/connectors/poll_schedule.hpp"

#include <algorithm>
#include <cmath>

namespace wirewatch::connectors {
namespace {

using std::chrono::milliseconds;

milliseconds scale(milliseconds d, double factor) {
  return milliseconds(static_cast<std::int64_t>(std::llround(static_cast<double>(d.count()) * factor)));
}

double clamp01(double u) { return std::clamp(u, 0.0, 1.0); }

wirewatch::TimePoint to_seconds(PollClock::time_point t) {
  return std::chrono::ceil<std::chrono::seconds>(t);
}

wirewatch::TimePoint floor_seconds(PollClock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t);
}

PollClock::time_point record_failure(FeedState& state, const FeedSource& source, long status,
                                     std::string error, std::optional<wirewatch::TimePoint> retry_after,
                                     PollClock::time_point now, const ScheduleOptions& options, double u) {
  state.last_status = status;
  state.last_error = std::move(error);
  state.consecutive_failures = std::max(0, state.consecutive_failures) + 1;
  auto next = now + failure_delay(source.interval, state.consecutive_failures, options, u);
  if (retry_after && PollClock::time_point(*retry_after) > next) next = *retry_after;
  state.next_poll = to_seconds(next);
  return next;
}

}  // namespace

FeedStatus feed_status(const FeedState& state) {
  if (state.gone) return FeedStatus::gone;
  if (state.consecutive_failures > 0)
    return (state.last_status == 429 || state.last_status == 503) ? FeedStatus::rate_limited
                                                                  : FeedStatus::failing;
  if (state.last_success) return FeedStatus::ok;
  return FeedStatus::pending;
}

std::string_view to_string(FeedStatus status) {
  switch (status) {
    case FeedStatus::pending:
      return "pending";
    case FeedStatus::ok:
      return "ok";
    case FeedStatus::failing:
      return "failing";
    case FeedStatus::rate_limited:
      return "rate-limited";
    case FeedStatus::gone:
      return "gone";
  }
  return "unknown";
}

milliseconds success_delay(milliseconds interval, std::optional<std::chrono::seconds> max_age,
                           const ScheduleOptions& options, double u) {
  milliseconds base = interval;
  if (max_age) {
    milliseconds raised = std::min<milliseconds>(*max_age, std::max(options.max_interval, interval));
    base = std::max(base, raised);
  }
  return scale(base, 0.9 + 0.2 * clamp01(u));
}

milliseconds failure_delay(milliseconds interval, int failures, const ScheduleOptions& options, double u) {
  failures = std::clamp(failures, 1, 40);
  // interval × 2^failures, saturating at max_backoff (computed in double: no overflow).
  double cap = std::min(static_cast<double>(interval.count()) * std::ldexp(1.0, failures),
                        static_cast<double>(options.max_backoff.count()));
  cap = std::max(cap, static_cast<double>(options.min_retry.count()));
  auto delay = milliseconds(static_cast<std::int64_t>(cap * clamp01(u)));
  return std::max(delay, options.min_retry);
}

PollDecision apply_fetch(FeedState& state, const FeedSource& source, const FetchResult& result,
                         PollClock::time_point now, const ScheduleOptions& options, double u) {
  PollDecision d;
  if (result.host_blocked) {
    d.action = PollAction::deferred;
    auto next = result.retry_after ? PollClock::time_point(*result.retry_after) : now;
    // Spread the feeds of one host a little past the moment it opens again.
    next = std::max(next, now) + scale(milliseconds(1000), clamp01(u));
    state.next_poll = to_seconds(next);
    d.next = next;
    return d;
  }
  if (result.ok() || result.not_modified()) {
    if (result.permanent_redirect) state.url = *result.permanent_redirect;
    state.last_status = result.status;
    if (result.not_modified()) {
      // A 304 may carry fresh validators; keep the old ones otherwise.
      if (!result.etag.empty()) state.etag = result.etag;
      if (!result.last_modified.empty()) state.last_modified = result.last_modified;
      state.last_success = floor_seconds(now);
      state.consecutive_failures = 0;
      state.last_error.clear();
      d.action = PollAction::not_modified;
    } else {
      state.etag = result.etag;
      state.last_modified = result.last_modified;
      d.action = PollAction::parse;
    }
    auto next = now + success_delay(source.interval, result.max_age, options, u);
    state.next_poll = to_seconds(next);
    d.next = next;
    return d;
  }
  if (result.status == 410) {
    state.gone = true;
    state.last_status = 410;
    state.last_error = "HTTP 410 Gone: the feed is disabled; change its URL to poll it again";
    state.consecutive_failures = std::max(0, state.consecutive_failures) + 1;
    state.next_poll.reset();
    d.action = PollAction::gone;
    return d;
  }
  d.action = PollAction::failed;
  std::optional<wirewatch::TimePoint> retry_after;
  if (result.status == 429 || result.status == 503) retry_after = result.retry_after;
  d.next = record_failure(state, source, result.status, result.error, retry_after, now, options, u);
  return d;
}

void record_parse_success(FeedState& state, bool bozo, std::string_view error, PollClock::time_point now) {
  state.last_success = floor_seconds(now);
  state.consecutive_failures = 0;
  state.bozo = bozo;
  state.last_error = bozo ? "not well-formed, recovered: " + std::string(error) : std::string();
}

PollClock::time_point record_parse_failure(FeedState& state, const FeedSource& source, std::string_view error,
                                           PollClock::time_point now, const ScheduleOptions& options,
                                           double u) {
  state.etag.clear();
  state.last_modified.clear();
  state.bozo = true;
  return record_failure(state, source, state.last_status, "nothing could be parsed: " + std::string(error),
                        std::nullopt, now, options, u);
}

}  // namespace wirewatch::connectors
