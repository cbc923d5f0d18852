#include "wirewatch/daemon/wal_checkpointer.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "wirewatch/daemon/store.hpp"

using namespace wirewatch;
using namespace wirewatch::daemon;
namespace fs = std::filesystem;

namespace {

constexpr int kPages = 50;  // a small checkpoint threshold, so a few records cross it

fs::path temp_db() {
  static int n = 0;
  auto dir =
      fs::temp_directory_path() / ("ww-checkpoint-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir / "state.db";
}

// `count` records of ~4 KB text (a WAL page each), one transaction per 10.
void add_records(Store& store, int first, int count) {
  for (int i = first; i < first + count; i += 10) {
    Store::Transaction tx(store);
    for (int j = i; j < std::min(first + count, i + 10); ++j) {
      RecordRow row;
      row.id = "rec" + std::to_string(j);
      row.seq = static_cast<std::uint64_t>(j + 1);
      row.source = "inbox";
      row.title = "T";
      row.file = "records/" + row.id + ".txt";
      row.text = std::string(4000, static_cast<char>('a' + j % 26));
      row.fetched = now_seconds();
      ASSERT_TRUE(store.insert_record(row));
    }
    tx.commit();
  }
}

template <typename Pred>
bool eventually(Pred pred) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace

TEST(WalCheckpointer, CopiesTheWalIntoTheDatabaseWhenTheStoreAsks) {
  auto db = temp_db();
  Store store(db);
  WalCheckpointer checkpointer(db);
  store.hand_checkpoints_to([&] { checkpointer.request(); }, kPages);
  const auto size_before = fs::file_size(db);
  add_records(store, 0, 2 * kPages);
  ASSERT_TRUE(eventually([&] { return checkpointer.checkpoints() > 0; }));
  // The records' pages are in the database file itself now, not only in the WAL.
  EXPECT_GE(fs::file_size(db), size_before + kPages * 4096u);
  store.hand_checkpoints_to(nullptr);
  Store reader(db);
  EXPECT_TRUE(reader.record_exists("rec0"));
  EXPECT_TRUE(reader.record_exists("rec" + std::to_string(2 * kPages - 1)));
  fs::remove_all(db.parent_path());
}

TEST(WalCheckpointer, StoreCheckpointsItselfWhenNoCheckpointerFollows) {
  auto db = temp_db();
  Store store(db);
  std::atomic<int> requests{0};
  store.hand_checkpoints_to([&] { ++requests; }, kPages);  // asked, never done
  const auto size_before = fs::file_size(db);
  add_records(store, 0, 2 * kPages);
  EXPECT_GT(requests.load(), 0);
  EXPECT_LT(fs::file_size(db), size_before + kPages * 4096u);  // below 4 x: all still in the WAL
  add_records(store, 2 * kPages, 3 * kPages);                  // past 4 x kPages: the backstop
  // The commit that crossed 4 x kPages checkpointed: at least the first records' pages moved.
  EXPECT_GE(fs::file_size(db), size_before + 2 * kPages * 4096u);
  fs::remove_all(db.parent_path());
}

TEST(WalCheckpointer, StopsPromptlyWithARequestPending) {
  auto db = temp_db();
  {
    Store store(db);
    WalCheckpointer checkpointer(db);
    checkpointer.request();
    checkpointer.request();  // a second request while one is pending is one checkpoint at most
  }                          // the destructor joins: a hang here fails the test by its timeout
  SUCCEED();
  fs::remove_all(db.parent_path());
}
