#include "wirewatch/common/thread.hpp"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>

namespace wirewatch {

void name_this_thread(const char* name) {
  char cut[16];
  std::strncpy(cut, name, sizeof cut - 1);
  cut[sizeof cut - 1] = '\0';
  pthread_setname_np(pthread_self(), cut);
}

void run_this_thread_in_background() {
  // On Linux a thread id given as PRIO_PROCESS sets the nice value of that
  // thread alone.
  setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
}

}  // namespace wirewatch
