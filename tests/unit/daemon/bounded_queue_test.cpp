#include "wirewatch/daemon/bounded_queue.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

using wirewatch::daemon::BoundedQueue;
using Wait = BoundedQueue<int>::Wait;
using Clock = std::chrono::steady_clock;

TEST(BoundedQueue, PopSomeTakesAtMostMaxInOrderAndAppends) {
  BoundedQueue<int> q(10);
  for (int i = 1; i <= 5; ++i) ASSERT_TRUE(q.push(i));
  std::vector<int> out{0};
  EXPECT_EQ(q.pop_some_until(out, 3, Clock::now()), Wait::item);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(q.pop_some_until(out, 100, Clock::now()), Wait::item);
  EXPECT_EQ(out, (std::vector<int>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(q.size(), 0u);
}

TEST(BoundedQueue, PopSomeTimesOutWhenEmpty) {
  BoundedQueue<int> q(1);
  std::vector<int> out;
  EXPECT_EQ(q.pop_some_until(out, 4, Clock::now() + std::chrono::milliseconds(20)), Wait::timeout);
  EXPECT_TRUE(out.empty());
}

TEST(BoundedQueue, PopSomeDrainsAfterCloseThenReportsClosed) {
  BoundedQueue<int> q(4);
  q.push(7);
  q.close();
  EXPECT_FALSE(q.push(8));
  std::vector<int> out;
  EXPECT_EQ(q.pop_some_until(out, 4, Clock::now()), Wait::item);
  EXPECT_EQ(out, (std::vector<int>{7}));
  EXPECT_EQ(q.pop_some_until(out, 4, Clock::now() + std::chrono::seconds(60)), Wait::closed);
}

TEST(BoundedQueue, PopSomeWakesEveryBlockedProducer) {
  BoundedQueue<int> q(2);
  q.push(1);
  q.push(2);
  std::thread a([&] { q.push(3); });  // both block: the queue is full
  std::thread b([&] { q.push(4); });
  std::vector<int> out;
  auto deadline = Clock::now() + std::chrono::seconds(60);
  while (out.size() < 4 && Clock::now() < deadline) {
    q.pop_some_until(out, 2, Clock::now() + std::chrono::milliseconds(100));
  }
  a.join();
  b.join();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 2);
}
