#include "wirewatch/common/thread.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wirewatch {

void name_this_thread(const char* name) {
  char cut[16];
  std::strncpy(cut, name, sizeof cut - 1);
  cut[sizeof cut - 1] = '\0';
  pthread_setname_np(pthread_self(), cut);
}

void run_this_thread_in_background() {
  // On Linux a thread id given as PRIO_PROCESS names that thread alone.
  const auto self = static_cast<id_t>(gettid());
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, self);
  if (nice == -1 && errno != 0) return;
  setpriority(PRIO_PROCESS, self, std::min(nice + 10, 19));
}

}  // namespace wirewatch
