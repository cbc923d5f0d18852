#pragma once
// What a FeedPoller emits, collected for the feed tests.

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "fixture_server.hpp"
#include "wirewatch/connectors/feed_poller.hpp"

namespace wirewatch::connectors {

// The daemon's side, in miniature: a seen set (the database) filled from what is emitted.
class Collector {
 public:
  bool seen(const std::string& id, const std::string& key) {
    std::lock_guard lock(mutex_);
    ++seen_calls_;
    return seen_.contains({id, key});
  }
  bool emit(FeedPollResult r) {
    std::lock_guard lock(mutex_);
    for (const auto& e : r.entries) seen_.insert({r.source_id, e.key});
    results_.push_back(std::move(r));
    return true;
  }
  std::vector<FeedPollResult> of(const std::string& id) {
    std::lock_guard lock(mutex_);
    std::vector<FeedPollResult> out;
    for (const auto& r : results_)
      if (r.source_id == id) out.push_back(r);
    return out;
  }
  // True once `id` has at least `n` results (false when the deadline passes first).
  bool has(const std::string& id, std::size_t n,
           std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    return testing::wait_until([&] { return of(id).size() >= n; }, deadline);
  }
  // Waits until `id` has at least `n` results; returns them.
  std::vector<FeedPollResult> wait(const std::string& id, std::size_t n,
                                   std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
    has(id, n, deadline);
    auto r = of(id);
    EXPECT_GE(r.size(), n) << "results of " << id;
    return r;
  }
  std::size_t entries(const std::string& id) {
    std::size_t n = 0;
    for (const auto& r : of(id)) n += r.entries.size();
    return n;
  }
  // Index of the first result of `id` among all results (their order of arrival).
  std::size_t position(const std::string& id) {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < results_.size(); ++i)
      if (results_[i].source_id == id) return i;
    return results_.size();
  }
  void forget_results() {
    std::lock_guard lock(mutex_);
    results_.clear();
  }
  int seen_calls() {
    std::lock_guard lock(mutex_);
    return seen_calls_;
  }
  FeedPoller::Seen seen_fn() {
    return [this](const std::string& id, const std::string& key) { return seen(id, key); };
  }
  FeedPoller::Emit emit_fn() {
    return [this](FeedPollResult r) { return emit(std::move(r)); };
  }

 private:
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> seen_;
  std::vector<FeedPollResult> results_;
  int seen_calls_ = 0;
};

}  // namespace wirewatch::connectors
