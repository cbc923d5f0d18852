#pragma once
// Polls feeds on their schedules through an HttpFetcher and hands on what is new.
//
// run() is the scheduler: it starts the polls that are due (at most
// `max_in_flight` at once, `max_in_flight_per_host` per host, so one slow host
// cannot hold up the others), parses each body that changed, asks `seen` which
// items are already known — before any article page is fetched — fetches the
// pages of new items when the source has `articles: true` (through the same
// fetcher, so the same caps and politeness apply), and emits one FeedPollResult
// per completed poll: also for a 304 or a failure, since the state changed.
// Scheduling rules: poll_schedule.hpp.
//
// Threads: run() on one thread of the caller's; `seen` and `emit` are called on
// that thread. add() and remove() may be called from any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "wirewatch/connectors/feed_item.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"
#include "wirewatch/connectors/poll_schedule.hpp"

namespace wirewatch::connectors {

struct FeedEntry {
  FeedItem item;
  std::string key;                     // its key (item_keys(): guid, or a hash when missing or repeated)
  std::optional<FetchResult> article;  // the linked page, when `articles: true` and fetched OK
};

struct FeedPollResult {
  std::string source_id;
  FeedState state;                 // after this poll: persist it
  std::vector<FeedEntry> entries;  // only items not seen before, in feed order
};

struct FeedPollerOptions {
  // Backoff floor and caps; max_backoff 0 (the default here): http.max_backoff of the fetcher.
  ScheduleOptions schedule{std::chrono::milliseconds(0)};
  std::size_t max_in_flight = 0;            // polls at once; 0: 2 × http.max_connections
  std::size_t max_in_flight_per_host = 0;   // 0: 4 × http.max_per_host
  std::size_t max_articles_per_poll = 100;  // new items beyond it are emitted without a page
  std::size_t max_items_per_feed = 1000;    // items read from one body; 0: no limit
  // Called (on run()'s thread) each time a limit trips: "max_items_per_feed".
  std::function<void(std::string_view limit)> on_limit;
  // Injectable for tests: the clock, and a uniform random number in [0, 1).
  std::function<PollClock::time_point()> now;  // default: system_clock::now
  std::function<double()> random;              // default: a seeded std::mt19937_64
  // Longest sleep between checks of the schedule (with an injected clock, call wake()).
  std::chrono::milliseconds idle_wait{1000};
  // Observers, called on run()'s thread; keep them short. on_fetch sees every
  // completed fetch (the feed's or an article page's), e.g. to count statuses
  // and bytes. on_failure gets a one-line message for every failed poll (fetch
  // or parse); when set, it replaces the poller's own log line, which reports
  // only the first failure in a row.
  std::function<void(const std::string& source_id, const FetchResult&)> on_fetch;
  std::function<void(const std::string& source_id, const std::string& message)> on_failure;
};

// Counters since construction.
struct FeedPollerStats {
  std::uint64_t polls = 0, not_modified = 0, parsed = 0, failed = 0, deferred = 0, gone = 0, new_items = 0,
                articles = 0, article_failures = 0, items_capped = 0;
  std::size_t feeds = 0, in_flight = 0;
};

class FeedPoller {
 public:
  // Is this item already known? Thread-safe; may query the database.
  using Seen = std::function<bool(const std::string& source_id, const std::string& key)>;
  // Takes a result; may block (bounded queue). false: stop polling.
  using Emit = std::function<bool(FeedPollResult)>;

  FeedPoller(HttpFetcher& fetcher, Seen seen, Emit emit, FeedPollerOptions options = {});
  ~FeedPoller();
  FeedPoller(const FeedPoller&) = delete;
  FeedPoller& operator=(const FeedPoller&) = delete;

  // Adds a feed, or replaces the one with the same id (its state is kept when
  // `initial` is empty and the URL did not change). `initial` is the persisted
  // state: its validators are sent from the first poll on, its next_poll is
  // honoured (absent: due now). A configured URL other than initial.source_url
  // starts the state afresh. A gone feed is kept but not polled.
  void add(FeedSource source, FeedState initial = {});
  void remove(const std::string& id);
  // Makes run() look at the schedule now (after an injected clock moved).
  void wake();
  // Makes every feed due now, also one backing off after failures (after a
  // network outage, say), except a gone feed, one being polled, and one whose
  // host asked to wait (429/503 with Retry-After) until a time still ahead.
  // The connection caps and per-host limits still apply. Any thread.
  void poll_all_now();

  // Schedules due feeds until `stop` is requested or emit returns false.
  void run(std::stop_token stop);

  FeedPollerStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The request a feed's next poll sends (its URL and stored validators).
FetchRequest poll_request(const FeedSource& source, const FeedState& state);

}  // namespace wirewatch::connectors
