#include "wirewatch/daemon/store.hpp"

#include <gtest/gtest.h>

#include <filesystem>

using namespace wirewatch;
using namespace wirewatch::daemon;
namespace fs = std::filesystem;

namespace {

fs::path temp_db() {
  static int n = 0;
  auto dir = fs::temp_directory_path() / ("ww-store-" + std::to_string(::getpid()) + "-" +
                                          std::to_string(n++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir / "state.db";
}

void add_alert(Store& s, std::uint64_t seq, const std::string& id) {
  s.insert_alert({seq, id, "alerts.x", "{}"}, "r", "rec", now_seconds());
}

}  // namespace

TEST(Store, InstanceIdIsStableAcrossOpens) {
  auto db = temp_db();
  std::string first;
  {
    Store s(db);
    first = s.instance_id();
    EXPECT_EQ(first.size(), 16u);
  }
  Store again(db);
  EXPECT_EQ(again.instance_id(), first);
  fs::remove_all(db.parent_path());
}

TEST(Store, SeenItemsAndRecordsSurviveReopen) {
  auto db = temp_db();
  {
    Store s(db);
    Store::Transaction tx(s);
    EXPECT_FALSE(s.item_seen("inbox", "a.txt:1"));
    s.mark_item_seen("inbox", "a.txt:1", "record abc");
    RecordRow row;
    row.id = "abc";
    row.seq = s.next_record_seq();
    row.source = "inbox";
    row.title = "T";
    row.file = "records/001_abc.txt";
    row.fetched = now_seconds();
    EXPECT_EQ(row.seq, 1u);
    s.insert_record(row);
    tx.commit();
  }
  Store s(db);
  EXPECT_TRUE(s.item_seen("inbox", "a.txt:1"));
  EXPECT_FALSE(s.item_seen("other", "a.txt:1"));
  EXPECT_TRUE(s.record_exists("abc"));
  EXPECT_EQ(s.next_record_seq(), 2u);
  fs::remove_all(db.parent_path());
}

TEST(Store, UncommittedTransactionLeavesNothing) {
  auto db = temp_db();
  Store s(db);
  {
    Store::Transaction tx(s);
    s.mark_item_seen("inbox", "k", "x");
    add_alert(s, 1, "r:1");
  }
  EXPECT_FALSE(s.item_seen("inbox", "k"));
  EXPECT_EQ(s.last_alert_seq(), 0u);
  fs::remove_all(db.parent_path());
}

TEST(Store, AlertIdsAreUniqueAndUnpublishedAreKept) {
  auto db = temp_db();
  {
    Store s(db);
    Store::Transaction tx(s);
    add_alert(s, 1, "r:1");
    add_alert(s, 2, "r:2");
    EXPECT_THROW(add_alert(s, 3, "r:1"), StoreError);
    tx.commit();
    EXPECT_TRUE(s.alert_exists("r:2"));
    EXPECT_EQ(s.last_alert_seq(), 2u);
    s.mark_published({1});
  }
  Store s(db);
  auto pending = s.unpublished_alerts();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, 2u);
  EXPECT_EQ(pending[0].alert_id, "r:2");
  fs::remove_all(db.parent_path());
}

TEST(Store, RefusesADatabaseFromTheFuture) {
  auto db = temp_db();
  {
    Store s(db);
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  EXPECT_THROW(Store s(db), StoreError);
  fs::remove_all(db.parent_path());
}
