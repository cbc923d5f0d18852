#include "wirewatch/daemon/rules_watcher.hpp"

#include <poll.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>

namespace wirewatch::daemon {

RulesWatcher::RulesWatcher(std::vector<std::filesystem::path> paths, std::chrono::milliseconds quiet)
    : paths_(std::move(paths)), quiet_(quiet) {}

void RulesWatcher::run(std::stop_token stop) {
  int wake = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  int fd = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (wake < 0 || fd < 0) {
    spdlog::warn("rules: cannot watch the rule files ({}); reload with SIGHUP", std::strerror(errno));
    if (wake >= 0) ::close(wake);
    if (fd >= 0) ::close(fd);
    return;
  }
  std::stop_callback on_stop(stop, [wake] {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake, &one, sizeof one);
  });

  // A directory: its *.yaml files. A file: that name in its folder.
  std::map<int, std::set<std::string>> names;  // watch → file names ({} = any *.yaml)
  constexpr std::uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE;
  for (const auto& p : paths_) {
    const bool dir = std::filesystem::is_directory(p);
    auto watched = dir ? p : p.parent_path();
    int wd = ::inotify_add_watch(fd, watched.c_str(), kMask);
    if (wd < 0) {
      spdlog::warn("rules: cannot watch {}: {}; reload with SIGHUP", watched.string(), std::strerror(errno));
      continue;
    }
    if (dir)
      names[wd].clear();
    else
      names[wd].insert(p.filename().string());
  }

  using Clock = std::chrono::steady_clock;
  bool pending = false;
  Clock::time_point due{};
  alignas(struct inotify_event) char buf[16 * 1024];
  while (!stop.stop_requested()) {
    int timeout = -1;
    if (pending) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now());
      timeout = static_cast<int>(std::max<long long>(0, left.count()));
    }
    pollfd fds[2] = {{wake, POLLIN, 0}, {fd, POLLIN, 0}};
    int n = ::poll(fds, 2, timeout);
    if (stop.stop_requested()) break;
    if (n > 0 && (fds[1].revents & POLLIN)) {
      ssize_t len;
      while ((len = ::read(fd, buf, sizeof buf)) > 0) {
        for (char* p = buf; p < buf + len;) {
          auto* ev = reinterpret_cast<struct inotify_event*>(p);
          p += sizeof(struct inotify_event) + ev->len;
          if (ev->len == 0) continue;
          std::string name = ev->name;
          auto it = names.find(ev->wd);
          if (it == names.end() || name.starts_with(".")) continue;
          bool relevant = it->second.empty() ? name.ends_with(".yaml") : it->second.count(name) > 0;
          if (relevant) {  // wait until the writes settle
            pending = true;
            due = Clock::now() + quiet_;
          }
        }
      }
    }
    if (pending && Clock::now() >= due) {
      pending = false;
      spdlog::info("rules: a rule file changed; reloading");
      ::kill(::getpid(), SIGHUP);
    }
  }
  ::close(fd);
  ::close(wake);
}

}  // namespace wirewatch::daemon
