#include "wirewatch/daemon/wal_checkpointer.hpp"

#include <spdlog/spdlog.h>

#include "wirewatch/common/thread.hpp"

namespace wirewatch::daemon {

namespace {
// A checkpoint reads the WAL and writes the database file; it keeps no pages.
constexpr int kCheckpointCacheKiB = 256;
}  // namespace

WalCheckpointer::WalCheckpointer(const std::filesystem::path& database)
    : store_(database, kCheckpointCacheKiB), thread_([this] { run(); }) {}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void WalCheckpointer::request() {
  {
    std::lock_guard lock(mutex_);
    if (requested_) return;
    requested_ = true;
  }
  wake_.notify_one();
}

void WalCheckpointer::run() {
  name_this_thread("ww-checkpoint");
  run_this_thread_in_background();
  bool failing = false;  // one line per run of failures, not one per request
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return requested_ || stopping_; });
    if (stopping_) return;
    requested_ = false;
    lock.unlock();
    try {
      store_.checkpoint();
      ++checkpoints_;
      if (failing) spdlog::info("WAL checkpoints work again");
      failing = false;
    } catch (const StoreError& e) {
      // The store's own connection checkpoints when the WAL keeps growing.
      if (!failing) spdlog::warn("WAL checkpoint failed: {}", e.what());
      failing = true;
    }
    lock.lock();
  }
}

}  // namespace wirewatch::daemon
