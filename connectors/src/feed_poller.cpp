#include "wirewatch/connectors/feed_poller.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "wirewatch/connectors/feed_parser.hpp"

namespace wirewatch::connectors {

FetchRequest poll_request(const FeedSource& source, const FeedState& state) {
  FetchRequest r;
  r.url = state.url.empty() ? source.url : state.url;
  r.etag = state.etag;
  r.last_modified = state.last_modified;
  // The operator wrote this URL: its host is trusted by the SSRF guard, also
  // after a 301 moved the feed elsewhere (the new host is not).
  r.trusted_host = url_host(source.url);
  return r;
}

struct FeedPoller::Impl {
  struct Feed {
    FeedSource source;
    FeedState state;
    std::string host;
    std::uint64_t gen = 0;  // bumped on every (re)schedule: older queue entries are stale
    bool in_flight = false;
    bool removed = false;
    // Keys of the last body parsed: not asked about again (saves `seen` look-ups).
    std::unordered_set<std::string> recent_keys;
  };

  struct Completion {
    std::uint64_t poll_id = 0;
    int article = -1;  // index into the poll's entries; -1: the feed itself
    FetchResult result;
  };

  // Shared with the fetcher's completion handlers, which may outlive the poller.
  struct Inbox {
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<Completion> items;
    bool wake = false;
  };

  struct Poll {
    std::shared_ptr<Feed> feed;
    std::string host;
    FeedPollResult result;
    std::size_t pending_articles = 0;
    std::optional<PollClock::time_point> next;  // exact; state.next_poll is in whole seconds
  };

  using Due = std::tuple<PollClock::time_point, std::uint64_t, std::string>;  // when, gen, id

  Impl(HttpFetcher& f, Seen s, Emit e, FeedPollerOptions o)
      : fetcher(f),
        seen(std::move(s)),
        emit(std::move(e)),
        options(std::move(o)),
        inbox(std::make_shared<Inbox>()) {
    const auto& http = fetcher.options();
    if (options.schedule.max_backoff <= std::chrono::milliseconds(0))
      options.schedule.max_backoff = http.max_backoff;
    if (options.max_in_flight == 0)
      options.max_in_flight = 2 * static_cast<std::size_t>(std::max(1, http.max_connections));
    if (options.max_in_flight_per_host == 0)
      options.max_in_flight_per_host = 4 * static_cast<std::size_t>(std::max(1, http.max_per_host));
    if (!options.now) options.now = [] { return PollClock::now(); };
    if (!options.random) {
      options.random = [rng = std::mt19937_64(std::random_device{}()),
                        dist = std::uniform_real_distribution<double>(0.0, 1.0)]() mutable {
        return dist(rng);
      };
    }
  }

  // --- other threads ------------------------------------------------------

  void add(FeedSource source, FeedState initial) {
    {
      std::lock_guard lock(control_mutex);
      control.push_back(Control{std::move(source), std::move(initial), false});
    }
    wake();
  }

  void remove(const std::string& id) {
    {
      std::lock_guard lock(control_mutex);
      Control c;
      c.source.id = id;
      c.remove = true;
      control.push_back(std::move(c));
    }
    wake();
  }

  void poll_all_now() {
    poll_all.store(true);
    wake();
  }

  void wake() {
    {
      std::lock_guard lock(inbox->mutex);
      inbox->wake = true;
    }
    inbox->cv.notify_all();
  }

  // --- the run() thread ---------------------------------------------------

  void absorb_control() {
    std::vector<Control> todo;
    {
      std::lock_guard lock(control_mutex);
      todo.swap(control);
    }
    for (auto& c : todo) {
      if (c.remove)
        drop(c.source.id);
      else
        apply_add(std::move(c.source), std::move(c.initial));
    }
    if (poll_all.exchange(false)) reschedule_all_now();
    std::lock_guard lock(stats_mutex);
    stats.feeds = feeds.size();
  }

  void reschedule_all_now() {
    const auto now = options.now();
    std::size_t n = 0;
    for (auto& [id, f] : feeds) {
      if (!startable(*f)) continue;
      // A Retry-After is the host's request, not a guess of ours: it stands.
      if (feed_status(f->state) == FeedStatus::rate_limited && f->state.next_poll &&
          PollClock::time_point(*f->state.next_poll) > now)
        continue;
      schedule(*f, now);
      ++n;
    }
    spdlog::info("polling {} of {} feed(s) now", n, feeds.size());
  }

  void drop(const std::string& id) {
    auto it = feeds.find(id);
    if (it == feeds.end()) return;
    it->second->removed = true;
    feeds.erase(it);
  }

  void apply_add(FeedSource source, FeedState initial) {
    auto it = feeds.find(source.id);
    bool fresh_initial = initial.url.empty() && initial.source_url.empty() && !initial.next_poll;
    if (it != feeds.end() && fresh_initial && it->second->source.url == source.url) {
      it->second->source = std::move(source);  // interval or articles changed: keep the state
      return;
    }
    auto f = std::make_shared<Feed>();
    f->state = std::move(initial);
    if (!f->state.source_url.empty() && f->state.source_url != source.url) {
      // The configuration names another URL: what was learnt about the old one is void.
      auto items = f->state.items_seen;
      f->state = FeedState{};
      f->state.items_seen = items;
    }
    if (f->state.url.empty()) f->state.url = source.url;
    f->state.source_url = source.url;
    f->source = std::move(source);
    f->host = host_key(f->state.url);
    if (it != feeds.end()) {
      it->second->removed = true;
      it->second = f;
    } else {
      feeds.emplace(f->source.id, f);
    }
    if (f->state.gone) return;
    schedule(*f, f->state.next_poll ? PollClock::time_point(*f->state.next_poll) : options.now());
  }

  void schedule(Feed& f, PollClock::time_point when) {
    ++f.gen;
    due.emplace(when, f.gen, f.source.id);
  }

  bool startable(const Feed& f) const { return !f.removed && !f.in_flight && !f.state.gone; }

  bool host_has_room(const std::string& host) {
    return host_in_flight[host] < options.max_in_flight_per_host;
  }

  void start_due(PollClock::time_point now) {
    // Feeds that were due while their host was at its cap go first.
    for (auto it = parked.begin(); it != parked.end() && in_flight < options.max_in_flight;) {
      auto& [host, queue] = *it;
      while (!queue.empty() && in_flight < options.max_in_flight && host_has_room(host)) {
        auto [id, gen] = queue.front();
        queue.pop_front();
        auto f = feeds.find(id);
        if (f != feeds.end() && f->second->gen == gen && startable(*f->second)) start(f->second);
      }
      it = queue.empty() ? parked.erase(it) : std::next(it);
    }
    while (in_flight < options.max_in_flight && !due.empty() && std::get<0>(due.top()) <= now) {
      auto [when, gen, id] = due.top();
      due.pop();
      auto f = feeds.find(id);
      if (f == feeds.end() || f->second->gen != gen || !startable(*f->second)) continue;
      if (!host_has_room(f->second->host)) {
        parked[f->second->host].emplace_back(id, gen);
        continue;
      }
      start(f->second);
    }
  }

  void start(const std::shared_ptr<Feed>& f) {
    f->in_flight = true;
    ++in_flight;
    ++host_in_flight[f->host];
    std::uint64_t id = next_poll_id++;
    Poll& p = polls[id];
    p.feed = f;
    p.host = f->host;
    p.result.source_id = f->source.id;
    {
      std::lock_guard lock(stats_mutex);
      ++stats.polls;
      stats.in_flight = in_flight;
    }
    submit(poll_request(f->source, f->state), id, -1);
  }

  void submit(FetchRequest request, std::uint64_t poll_id, int article) {
    fetcher.fetch(std::move(request), [box = inbox, poll_id, article](FetchResult r) {
      {
        std::lock_guard lock(box->mutex);
        box->items.push_back(Completion{poll_id, article, std::move(r)});
      }
      box->cv.notify_one();
    });
  }

  // Returns false when emit asked to stop.
  bool handle(Completion c) {
    auto it = polls.find(c.poll_id);
    if (it == polls.end()) return true;
    Poll& p = it->second;
    if (options.on_fetch && !c.result.host_blocked) options.on_fetch(p.result.source_id, c.result);
    if (c.article >= 0) {
      auto& entry = p.result.entries[static_cast<std::size_t>(c.article)];
      std::lock_guard lock(stats_mutex);
      if (c.result.ok()) {
        entry.article = std::move(c.result);
        ++stats.articles;
      } else {
        spdlog::debug("feed {}: article {}: {}", p.result.source_id, c.result.url, c.result.error);
        ++stats.article_failures;
      }
    } else {
      on_feed_fetched(c.poll_id, p, std::move(c.result));
    }
    if (p.pending_articles > 0 && c.article >= 0) --p.pending_articles;
    if (p.pending_articles > 0) return true;
    return finish(it);
  }

  void on_feed_fetched(std::uint64_t poll_id, Poll& p, FetchResult r) {
    Feed& f = *p.feed;
    if (f.removed) return;
    auto now = options.now();
    const int failures_before = f.state.consecutive_failures;
    auto decision = apply_fetch(f.state, f.source, r, now, options.schedule, options.random());
    p.next = decision.next;
    std::unique_lock lock(stats_mutex);
    switch (decision.action) {
      case PollAction::not_modified:
        ++stats.not_modified;
        break;
      case PollAction::deferred:
        ++stats.deferred;
        spdlog::debug("feed {}: {}", f.source.id, r.error);
        break;
      case PollAction::gone:
        ++stats.gone;
        spdlog::warn("feed {}: {} answered 410 Gone; the feed is disabled", f.source.id, r.url);
        break;
      case PollAction::failed:
        ++stats.failed;
        // Logged when a feed starts failing; repeats go to debug (a feed failing every
        // few minutes must not flood the log); the status table has the details.
        if (options.on_failure)
          options.on_failure(f.source.id, fmt::format("feed {}: {} failed: {} (retrying with backoff)",
                                                      f.source.id, r.url, f.state.last_error));
        else if (failures_before == 0)
          spdlog::warn("feed {}: {} failed: {} (retrying with backoff)", f.source.id, r.url,
                       f.state.last_error);
        else
          spdlog::debug("feed {}: failure {} in a row: {}", f.source.id, f.state.consecutive_failures,
                        f.state.last_error);
        break;
      case PollAction::parse:
        ++stats.parsed;
        break;
    }
    if (failures_before > 0 && f.state.consecutive_failures == 0)
      spdlog::info("feed {}: recovered after {} failures", f.source.id, failures_before);
    if (r.permanent_redirect && f.state.url == *r.permanent_redirect &&
        decision.action != PollAction::deferred)
      spdlog::info("feed {}: moved permanently to {}", f.source.id, f.state.url);
    if (decision.action != PollAction::parse) return;
    lock.unlock();

    ParsedFeed parsed;
    std::string parse_error;
    try {
      FeedParseOptions po;
      po.base_url = r.final_url;
      po.http_charset = content_type_charset(r.content_type);
      po.content_type = r.content_type;
      po.feed_id = f.source.id;
      po.max_items = options.max_items_per_feed;
      parsed = parse_feed(r.body, po);
    } catch (const std::exception& ex) {  // documented not to throw; a bug must not stop polling
      parsed = ParsedFeed{};
      parsed.bozo = true;
      parsed.error = ex.what();
    }
    std::string().swap(r.body);
    if (!parsed.ok()) {
      p.next = record_parse_failure(f.state, f.source, parsed.error, now, options.schedule, options.random());
      lock.lock();
      ++stats.failed;
      if (options.on_failure)
        options.on_failure(f.source.id, fmt::format("feed {}: {}", f.source.id, f.state.last_error));
      else if (failures_before == 0)
        spdlog::warn("feed {}: {}", f.source.id, f.state.last_error);
      return;
    }
    record_parse_success(f.state, parsed.bozo, parsed.error, now);
    if (options.max_items_per_feed > 0 && parsed.entries.size() > options.max_items_per_feed) {
      parsed.items_dropped += parsed.entries.size() - options.max_items_per_feed;
      parsed.entries.resize(options.max_items_per_feed);
    }
    if (parsed.items_dropped > 0) {
      // Feeds list their newest items first: the rest are dropped, unseen and unfetched.
      spdlog::debug("feed {}: {} item(s) past limits.max_items_per_feed ({}) dropped", f.source.id,
                    parsed.items_dropped, options.max_items_per_feed);
      if (options.on_limit) options.on_limit("max_items_per_feed");
      lock.lock();
      ++stats.items_capped;
      lock.unlock();
    }

    auto item_key_list = item_keys(parsed.entries);
    std::unordered_set<std::string> keys;
    keys.reserve(parsed.entries.size());
    for (std::size_t i = 0; i < parsed.entries.size(); ++i) {
      auto& item = parsed.entries[i];
      std::string& key = item_key_list[i];
      if (!keys.insert(key).second) continue;  // the same item twice in the feed
      if (f.recent_keys.contains(key)) continue;
      if (is_seen(f.source.id, key)) continue;
      p.result.entries.push_back(FeedEntry{std::move(item), std::move(key), std::nullopt});
    }
    f.recent_keys = std::move(keys);
    f.state.items_seen += p.result.entries.size();
    lock.lock();
    stats.new_items += p.result.entries.size();
    lock.unlock();

    if (!f.source.articles) return;
    std::size_t n = std::min(p.result.entries.size(), options.max_articles_per_poll);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& link = p.result.entries[i].item.link;
      if (link.empty() || !check_url(link)) continue;
      FetchRequest req;
      req.url = link;
      ++p.pending_articles;
      submit(std::move(req), poll_id, static_cast<int>(i));
    }
  }

  bool is_seen(const std::string& id, const std::string& key) {
    try {
      return seen && seen(id, key);
    } catch (const std::exception& ex) {
      spdlog::error("feed {}: checking an item against the seen set failed: {}", id, ex.what());
      return false;  // offered again; the store drops a repeat
    }
  }

  bool finish(std::unordered_map<std::uint64_t, Poll>::iterator it) {
    Poll p = std::move(it->second);
    polls.erase(it);
    Feed& f = *p.feed;
    --in_flight;
    if (auto h = host_in_flight.find(p.host); h != host_in_flight.end() && --h->second == 0)
      host_in_flight.erase(h);
    {
      std::lock_guard lock(stats_mutex);
      stats.in_flight = in_flight;
    }
    f.in_flight = false;
    if (f.removed) return true;
    f.host = host_key(f.state.url);
    if (!f.state.gone) schedule(f, p.next ? *p.next : next_for(f));
    p.result.state = f.state;
    return emit(std::move(p.result));
  }

  PollClock::time_point next_for(const Feed& f) const {
    if (f.state.next_poll) return PollClock::time_point(*f.state.next_poll);
    return options.now() + f.source.interval;
  }

  void run(std::stop_token stop) {
    std::stop_callback on_stop(stop, [box = inbox] {
      {
        std::lock_guard lock(box->mutex);
        box->wake = true;
      }
      box->cv.notify_all();
    });
    std::deque<Completion> batch;
    while (!stop.stop_requested()) {
      absorb_control();
      auto now = options.now();
      start_due(now);
      auto wait = options.idle_wait;
      if (!due.empty() && in_flight < options.max_in_flight) {
        auto until = std::get<0>(due.top()) - now;
        wait = std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(until),
                          std::chrono::milliseconds(0), options.idle_wait);
      }
      {
        std::unique_lock lock(inbox->mutex);
        inbox->cv.wait_for(lock, wait,
                           [&] { return !inbox->items.empty() || inbox->wake || stop.stop_requested(); });
        inbox->wake = false;
        batch.swap(inbox->items);
      }
      while (!batch.empty()) {
        Completion c = std::move(batch.front());
        batch.pop_front();
        if (!handle(std::move(c))) return;
      }
    }
  }

  struct Control {
    FeedSource source;
    FeedState initial;
    bool remove = false;
  };

  HttpFetcher& fetcher;
  Seen seen;
  Emit emit;
  FeedPollerOptions options;
  std::shared_ptr<Inbox> inbox;

  std::mutex control_mutex;
  std::vector<Control> control;
  std::atomic<bool> poll_all{false};

  // run() thread only.
  std::unordered_map<std::string, std::shared_ptr<Feed>> feeds;
  std::priority_queue<Due, std::vector<Due>, std::greater<>> due;
  std::unordered_map<std::string, std::size_t> host_in_flight;
  std::map<std::string, std::deque<std::pair<std::string, std::uint64_t>>> parked;
  std::unordered_map<std::uint64_t, Poll> polls;
  std::size_t in_flight = 0;
  std::uint64_t next_poll_id = 1;

  mutable std::mutex stats_mutex;
  FeedPollerStats stats;
};

FeedPoller::FeedPoller(HttpFetcher& fetcher, Seen seen, Emit emit, FeedPollerOptions options)
    : impl_(std::make_unique<Impl>(fetcher, std::move(seen), std::move(emit), std::move(options))) {}
FeedPoller::~FeedPoller() = default;

void FeedPoller::add(FeedSource source, FeedState initial) {
  impl_->add(std::move(source), std::move(initial));
}
void FeedPoller::remove(const std::string& id) { impl_->remove(id); }
void FeedPoller::wake() { impl_->wake(); }
void FeedPoller::poll_all_now() { impl_->poll_all_now(); }
void FeedPoller::run(std::stop_token stop) { impl_->run(std::move(stop)); }

FeedPollerStats FeedPoller::stats() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->stats;
}

}  // namespace wirewatch::connectors
