#include "wirewatch/daemon/store.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "wirewatch/daemon/pipeline.hpp"

using namespace wirewatch;
using namespace wirewatch::daemon;
namespace fs = std::filesystem;

namespace {

fs::path temp_db() {
  static int n = 0;
  auto dir =
      fs::temp_directory_path() / ("ww-store-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
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
    EXPECT_TRUE(s.insert_record(row));
    // The same id again: nothing written, whatever the other fields say.
    row.seq = 2;
    row.title = "another";
    EXPECT_FALSE(s.insert_record(row));
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
  { Store s(db); }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_exec(raw, "PRAGMA user_version = 999", nullptr, nullptr, nullptr);
  sqlite3_close(raw);
  EXPECT_THROW(Store s(db), StoreError);
  fs::remove_all(db.parent_path());
}

// A database at schema version 3 (as released before the publish watermark):
// opening it upgrades in place and keeps what was seen, stored and published.
TEST(Store, UpgradesAVersion3DatabaseKeepingState) {
  auto db = temp_db();
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  const char* v3 = R"sql(
    PRAGMA journal_mode=WAL;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE items_seen (source TEXT NOT NULL, key TEXT NOT NULL, outcome TEXT NOT NULL,
      seen_at INTEGER NOT NULL, PRIMARY KEY (source, key));
    CREATE TABLE records (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, source TEXT NOT NULL,
      url TEXT, title TEXT NOT NULL, file TEXT NOT NULL, published INTEGER, fetched INTEGER NOT NULL,
      text TEXT, author TEXT, lang TEXT, fingerprint BLOB, duplicate_of TEXT);
    CREATE TABLE alerts (seq INTEGER PRIMARY KEY, alert_id TEXT NOT NULL UNIQUE, rule TEXT NOT NULL,
      record_id TEXT NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL, created INTEGER NOT NULL,
      published INTEGER NOT NULL DEFAULT 0);
    CREATE INDEX alerts_unpublished ON alerts (seq) WHERE published = 0;
    CREATE TABLE feeds (id TEXT PRIMARY KEY, source_url TEXT NOT NULL, url TEXT NOT NULL,
      etag TEXT NOT NULL DEFAULT '', last_modified TEXT NOT NULL DEFAULT '', last_success INTEGER,
      next_poll INTEGER, last_status INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '',
      consecutive_failures INTEGER NOT NULL DEFAULT 0, gone INTEGER NOT NULL DEFAULT 0,
      items_seen INTEGER NOT NULL DEFAULT 0, bozo INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL);
    INSERT INTO meta VALUES ('instance', '0123456789abcdef');
    INSERT INTO items_seen VALUES ('inbox', 'a.txt:1', 'record abc', 1), ('feed', 'g1', 'record def', 2);
    INSERT INTO records (seq, id, source, title, file, fetched, text)
      VALUES (1, 'abc', 'inbox', 'T', 'records/001_abc.txt', 1, 'T');
    INSERT INTO alerts VALUES (1, 'r:abc', 'r', 'abc', 'alerts.x', '{"seq":1}', 1, 1),
                              (2, 'r:def', 'r', 'def', 'alerts.x', '{"seq":2}', 2, 1),
                              (3, 'q:abc', 'q', 'abc', 'alerts.x', '{"seq":3}', 3, 0);
    PRAGMA user_version = 3;
  )sql";
  ASSERT_EQ(sqlite3_exec(raw, v3, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(raw);
  sqlite3_close(raw);

  {
    Store s(db);
    EXPECT_EQ(s.instance_id(), "0123456789abcdef");
    EXPECT_TRUE(s.item_seen("inbox", "a.txt:1"));
    EXPECT_TRUE(s.item_seen("feed", "g1"));
    EXPECT_FALSE(s.item_seen("feed", "g2"));
    EXPECT_TRUE(s.record_exists("abc"));
    EXPECT_EQ(s.last_alert_seq(), 3u);
    EXPECT_EQ(s.published_seq(), 2u);
    auto pending = s.unpublished_alerts();
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].alert_id, "q:abc");
    EXPECT_EQ(pending[0].payload, R"({"seq":3})");
    EXPECT_EQ(s.alerts_after(0, 10).size(), 3u);
    s.mark_published({3});
    Store::Transaction tx(s);
    s.mark_item_seen("feed", "g2", "record ghi");
    tx.commit();
  }
  Store s(db);  // opening again migrates nothing and keeps the watermark
  EXPECT_TRUE(s.unpublished_alerts().empty());
  EXPECT_TRUE(s.item_seen("feed", "g2"));
  ASSERT_EQ(sqlite3_open(db.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 5);
  sqlite3_finalize(st);
  sqlite3_close(raw);
  fs::remove_all(db.parent_path());
}

TEST(Store, PublishWatermarkNeverMovesBack) {
  auto db = temp_db();
  Store s(db);
  {
    Store::Transaction tx(s);
    for (std::uint64_t seq = 1; seq <= 4; ++seq) add_alert(s, seq, "r:" + std::to_string(seq));
    tx.commit();
  }
  EXPECT_EQ(s.unpublished_alerts().size(), 4u);
  s.mark_published({1, 2, 3});
  s.mark_published({2});  // a late, older batch does not move it back
  EXPECT_EQ(s.published_seq(), 3u);
  auto pending = s.unpublished_alerts();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].seq, 4u);
  fs::remove_all(db.parent_path());
}

namespace {

void add_record(Store& s, std::uint64_t seq, TimePoint fetched) {
  RecordRow row;
  row.id = "id" + std::to_string(seq);
  row.seq = seq;
  row.source = "inbox";
  row.title = "T";
  row.file = "records/2026-01-01/" + std::to_string(seq) + ".txt";
  row.text = "text of " + std::to_string(seq);
  row.fetched = fetched;
  ASSERT_TRUE(s.insert_record(row));
}

std::string read_all(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool wait_written(const RecordFileWriter& w, std::uint64_t seq) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (w.written() < seq && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return w.written() >= seq;
}

}  // namespace

// Records committed while no file was written (the daemon killed right after
// the commit) get their files when the writer starts again; a record pruned
// before its file was written is skipped.
TEST(Store, RecordFilesFollowTheDatabaseAfterACrash) {
  auto db = temp_db();
  auto state = db.parent_path();
  Store s(db);
  EXPECT_EQ(s.record_files_seq(), 0u);
  {
    Store::Transaction tx(s);
    for (std::uint64_t seq = 1; seq <= 300; ++seq) add_record(s, seq, now_seconds());
    add_record(s, 301, TimePoint(std::chrono::seconds(1)));  // pruned below
    add_record(s, 302, now_seconds());
    tx.commit();
  }
  {
    Store::Transaction tx(s);
    EXPECT_EQ(s.prune_records(TimePoint(std::chrono::seconds(2))).size(), 1u);
    tx.commit();
  }
  EXPECT_FALSE(fs::exists(state / "records"));
  {
    RecordFileWriter writer(state, s.path(), 302);
    ASSERT_TRUE(wait_written(writer, 302));
    EXPECT_EQ(writer.queued(), 0u);
  }
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(state / "records")) files += e.is_regular_file();
  EXPECT_EQ(files, 301u);
  EXPECT_EQ(read_all(state / "records/2026-01-01/1.txt"), "text of 1");
  EXPECT_EQ(read_all(state / "records/2026-01-01/302.txt"), "text of 302");
  EXPECT_FALSE(fs::exists(state / "records/2026-01-01/301.txt"));
  EXPECT_EQ(s.record_files_seq(), 302u);

  // Restarted: resumes after the watermark, rewriting nothing older.
  fs::remove(state / "records/2026-01-01/1.txt");
  {
    Store::Transaction tx(s);
    add_record(s, 303, now_seconds());
    tx.commit();
  }
  {
    RecordFileWriter writer(state, s.path(), 303);
    ASSERT_TRUE(wait_written(writer, 303));
  }
  EXPECT_TRUE(fs::exists(state / "records/2026-01-01/303.txt"));
  EXPECT_FALSE(fs::exists(state / "records/2026-01-01/1.txt"));
  EXPECT_EQ(s.record_files_seq(), 303u);
  fs::remove_all(state);
}

TEST(Store, NewestFingerprintsOldestFirst) {
  auto db = temp_db();
  Store s(db);
  {
    Store::Transaction tx(s);
    for (int i = 0; i < 6; ++i) {
      RecordRow row;
      row.id = "r" + std::to_string(i);
      row.seq = s.next_record_seq();
      row.source = "inbox";
      row.title = "T";
      row.file = "records/" + row.id + ".txt";
      row.fetched = now_seconds();
      row.fingerprint = i == 2 ? "" : "fp" + std::to_string(i);  // r2 has none
      if (i == 4) row.duplicate_of = "r3";                       // not a first copy
      EXPECT_TRUE(s.insert_record(row));
    }
    tx.commit();
  }
  auto collect = [&](std::size_t limit) {
    std::vector<std::string> out;
    s.each_fingerprint(limit, [&](const std::string& id, std::string_view bytes) {
      out.push_back(id + "=" + std::string(bytes));
    });
    return out;
  };
  EXPECT_EQ(collect(2), (std::vector<std::string>{"r3=fp3", "r5=fp5"}));
  EXPECT_EQ(collect(100), (std::vector<std::string>{"r0=fp0", "r1=fp1", "r3=fp3", "r5=fp5"}));
  EXPECT_TRUE(collect(0).empty());
  fs::remove_all(db.parent_path());
}
