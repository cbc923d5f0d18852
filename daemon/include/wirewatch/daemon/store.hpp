#pragma once
// The state database (SQLite, WAL): which source items were ingested, the
// records, and every alert with its dense sequence number and payload.
//
// An item's "seen" mark, its record and its alerts are written in one
// transaction (synchronous=FULL), before any alert is published: a crash at any
// point either keeps all of them or none, so an item is ingested again or not at
// all — never half — and an alert is never lost nor created twice.

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "wirewatch/common/time.hpp"
#include "wirewatch/connectors/feed_poller.hpp"

namespace wirewatch::daemon {

// Page cache sizes, in KiB. The connection that commits records keeps the
// unique-key indexes of a busy day in memory (16 MiB); the
// others (seen-item look-ups, record files, replay) read a few pages per
// request, which the kernel's page cache serves nearly as fast, so they keep a
// small cache: four connections of 16 MiB each would be a third of the daemon's
// memory budget.
inline constexpr int kWriterCacheKiB = 16384;
inline constexpr int kReaderCacheKiB = 2048;

// WAL pages after which the WAL is copied back into the database (a
// checkpoint): 4,000 pages (16 MiB) instead of SQLite's 1,000 take fewer
// fsyncs of the database file.
inline constexpr int kWalCheckpointPages = 4000;

// The settings of every store connection, as one SQL string (the benchmark
// applies them to its raw peers): a page cache of `cache_kib`; a checkpoint
// every kWalCheckpointPages, and the WAL cut back to 32 MiB after one.
inline std::string store_connection_settings(int cache_kib = kWriterCacheKiB) {
  return "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
         "PRAGMA cache_size=-" +
         std::to_string(cache_kib) + "; PRAGMA wal_autocheckpoint=" + std::to_string(kWalCheckpointPages) +
         "; PRAGMA journal_size_limit=33554432;";
}

struct StoredAlert {
  std::uint64_t seq = 0;
  std::string alert_id;
  std::string topic;
  std::string payload;
};

struct RecordRow {
  std::string id;
  std::uint64_t seq = 0;
  std::string source;
  std::string url;
  std::string title;
  std::string file;  // path relative to state_dir
  std::string text;  // the record file's content (write_record)
  std::string author, lang;
  std::string fingerprint;   // TextFingerprint::to_bytes(); empty when none
  std::string duplicate_of;  // id of the first copy of a near-duplicate
  std::optional<TimePoint> published;
  TimePoint fetched;
};

// What a record file needs: its path (relative to state_dir) and content.
struct RecordFileRow {
  std::uint64_t seq = 0;
  std::string file;
  std::optional<std::string> text;  // none for records stored before the text was kept
};

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  // Opens (creating and migrating) the database with a page cache of up to
  // `cache_kib` KiB. Throws StoreError.
  explicit Store(const std::filesystem::path& file, int cache_kib = kWriterCacheKiB);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // A stable id of this install, made once and kept in the database.
  std::string instance_id() const;

  // All writes happen inside a transaction; the destructor rolls back one that
  // was not committed.
  class Transaction {
   public:
    explicit Transaction(Store& store);
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit();

   private:
    Store& store_;
    bool done_ = false;
  };

  bool item_seen(const std::string& source, const std::string& key);
  void mark_item_seen(const std::string& source, const std::string& key, const std::string& outcome);

  bool record_exists(const std::string& id);
  std::uint64_t next_record_seq();
  // Inserts the record unless one with its id is stored: false then, and
  // nothing is written (one statement instead of a look-up and an insert).
  bool insert_record(const RecordRow& row);

  bool alert_exists(const std::string& alert_id);
  std::uint64_t last_alert_seq();
  void insert_alert(const StoredAlert& alert, const std::string& rule, const std::string& record_id,
                    TimePoint created);

  // A feed's polling state, persisted with the records of the same poll.
  std::optional<connectors::FeedState> feed_state(const std::string& id);
  void save_feed_state(const std::string& id, const connectors::FeedState& state);
  std::vector<std::pair<std::string, connectors::FeedState>> feed_states();

  // Records with seq > since, oldest first, for the record file writer.
  std::vector<RecordFileRow> record_files_after(std::uint64_t since, std::size_t max_rows);
  // The highest record seq whose file is written (the record file watermark).
  std::uint64_t record_files_seq();
  // Moves the record file watermark to `seq` (never back); without an fsync:
  // a watermark lost in a power cut only means files are written again.
  void set_record_files_seq(std::uint64_t seq);
  // The database file, so other threads can open their own connection.
  std::filesystem::path path() const;

  // After a commit leaves `pages` or more in the WAL, this connection calls
  // `request` (from the committing thread: it must be cheap) instead of
  // checkpointing itself, so another connection does it off the commit path;
  // from 4 × `pages` on it checkpoints itself (the other one is behind).
  // An empty `request`: SQLite's own checkpoint every kWalCheckpointPages.
  void hand_checkpoints_to(std::function<void()> request, int pages = kWalCheckpointPages);
  // Copies what it can of the WAL into the database without waiting for
  // readers or writers (SQLITE_CHECKPOINT_PASSIVE). Throws StoreError.
  void checkpoint();

  // Deletes the records fetched before the time; returns their files
  // (relative to state_dir). Seen items and alerts are kept.
  std::vector<std::string> prune_records(TimePoint fetched_before);

  // (id, fingerprint bytes) of every stored first copy, oldest first.
  void each_fingerprint(const std::function<void(const std::string&, std::string_view)>& visit);
  // The same for the newest `limit` first copies only, still oldest first.
  void each_fingerprint(std::size_t limit,
                        const std::function<void(const std::string&, std::string_view)>& visit);

  // Alerts committed but not yet published, oldest first: those after the
  // publish watermark (alerts are published in seq order).
  std::vector<StoredAlert> unpublished_alerts();
  std::uint64_t published_seq();
  // Up to `max_rows` stored alerts with seq > since, oldest first (replay).
  std::vector<StoredAlert> alerts_after(std::uint64_t since, std::size_t max_rows);
  // Moves the publish watermark to the highest of `seqs` (never back), in a
  // transaction of its own without an fsync.
  void mark_published(const std::vector<std::uint64_t>& seqs);
  // The same inside the caller's open transaction, which commits it.
  void raise_published_seq(std::uint64_t seq);

 private:
  class Statement;
  void exec(const char* sql);
  void migrate();
  // `update_sql` binds the new value as ?1 and keeps the larger one.
  void raise_watermark_without_fsync(const char* update_sql, std::uint64_t seq);

  static int on_wal_commit(void* store, sqlite3* db, const char* schema, int pages);

  sqlite3* db_ = nullptr;
  std::string instance_id_;
  std::function<void()> checkpoint_request_;
  int checkpoint_pages_ = kWalCheckpointPages;
  std::unordered_map<const char*, sqlite3_stmt*> statements_;
};

}  // namespace wirewatch::daemon
