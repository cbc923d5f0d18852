#pragma once
// Copies the state database's WAL back into the database on a thread and
// connection of its own. SQLite's auto-checkpoint runs inside the commit that
// crosses the threshold: that commit then also writes and fsyncs 16 MiB of
// pages into the database file, tens of milliseconds that every alert of the
// batch waits for. Here the store's connection only asks for a checkpoint
// (Store::hand_checkpoints_to), and the commits go on while it runs — in WAL
// mode a checkpoint does not block the writer.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "wirewatch/daemon/store.hpp"

namespace wirewatch::daemon {

class WalCheckpointer {
 public:
  // Opens a connection to `database`. Throws StoreError.
  explicit WalCheckpointer(const std::filesystem::path& database);
  ~WalCheckpointer();  // finishes a checkpoint under way, then stops
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Thread-safe and cheap: wakes the thread unless a request is pending.
  void request();
  // Checkpoints run so far.
  std::uint64_t checkpoints() const { return checkpoints_.load(); }

 private:
  void run();

  Store store_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool requested_ = false;
  bool stopping_ = false;
  std::atomic<std::uint64_t> checkpoints_{0};
  std::thread thread_;
};

}  // namespace wirewatch::daemon
