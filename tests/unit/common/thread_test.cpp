#include "wirewatch/common/thread.hpp"

#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>

TEST(Thread, NameIsCutToTheKernelsFifteenBytes) {
  char name[32] = {};
  std::thread t([&] {
    wirewatch::name_this_thread("ww-a-name-longer-than-fifteen");
    pthread_getname_np(pthread_self(), name, sizeof name);
  });
  t.join();
  EXPECT_STREQ(name, "ww-a-name-longe");
}

TEST(Thread, BackgroundLowersOnlyTheCallingThread) {
  const int before = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  int inside = 0;
  std::thread t([&] {
    wirewatch::run_this_thread_in_background();
    inside = getpriority(PRIO_PROCESS, static_cast<id_t>(gettid()));
  });
  t.join();
  EXPECT_EQ(inside, std::min(before + 10, 19));
  EXPECT_EQ(getpriority(PRIO_PROCESS, static_cast<id_t>(gettid())), before);
}
