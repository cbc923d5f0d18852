#pragma once
// Watches the rule files with inotify. A change (a *.yaml file written, moved
// in or out, or deleted), once quiet for a moment, raises SIGHUP in this
// process, so an edit takes exactly the operator's reload path: the new set
// replaces the old only when every file is valid.

#include <chrono>
#include <filesystem>
#include <stop_token>
#include <vector>

namespace wirewatch::daemon {

class RulesWatcher {
 public:
  explicit RulesWatcher(std::vector<std::filesystem::path> paths,
                        std::chrono::milliseconds quiet = std::chrono::milliseconds(300));
  void run(std::stop_token stop);

 private:
  std::vector<std::filesystem::path> paths_;
  std::chrono::milliseconds quiet_;
};

}  // namespace wirewatch::daemon
