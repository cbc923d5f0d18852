#pragma once
// A bounded multi-producer queue. Overflow policy: block — a slow consumer slows
// its producers instead of growing memory. close() wakes everyone; pop() then
// drains what is left and returns nullopt once the queue is empty.

#include <algorithm>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

namespace wirewatch::daemon {

template <typename T>
class BoundedQueue {
 public:
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {}

  // False when the queue was closed (the item is dropped).
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
  }

  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  enum class Wait { item, timeout, closed };

  // Waits for an item until `deadline`, then moves up to `max` items (at least one unless
  // it returns timeout or closed) to the end of `out` under one lock: a
  // consumer that commits items in batches takes a batch with one wake-up of
  // the producers instead of one per item.
  template <typename TimePoint>
  Wait pop_some_until(std::vector<T>& out, std::size_t max, TimePoint deadline) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_until(lock, deadline, [&] { return closed_ || !items_.empty(); })) {
      return Wait::timeout;
    }
    if (items_.empty()) return Wait::closed;
    const auto n = std::min(std::max<std::size_t>(max, 1), items_.size());
    for (std::size_t i = 0; i < n; ++i) {
      out.push_back(std::move(items_.front()));
      items_.pop_front();
    }
    not_full_.notify_all();
    return Wait::item;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  bool closed_ = false;
};

}  // namespace wirewatch::daemon
