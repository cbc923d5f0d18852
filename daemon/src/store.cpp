#include "wirewatch/daemon/store.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <limits>

#include "wirewatch/common/hash.hpp"

namespace wirewatch::daemon {

// A prepared statement borrowed from the store's cache (statements are
// prepared once per connection, keyed by their SQL literal) and reset when the
// lease ends; bind() is 1-based like SQLite.
class Store::Statement {
 public:
  Statement(Store& store, const char* sql) : db_(store.db_) {
    auto& cached = store.statements_[sql];
    if (!cached && sqlite3_prepare_v2(db_, sql, -1, &cached, nullptr) != SQLITE_OK) {
      cached = nullptr;
      fail("prepare");
    }
    stmt_ = cached;
  }
  ~Statement() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind_blob(int i, const std::string& v) {
    check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_null(int i) {
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // True while there is a row.
  bool step() {
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  void reset() { sqlite3_reset(stmt_); }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
  }
  [[noreturn]] void fail(const char* what) {
    throw StoreError(std::string("sqlite ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

namespace {

// Each entry moves the schema from version i to i+1; entries are never edited
// once released, only appended, so every older database upgrades in place.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE items_seen (
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      outcome TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (source, key)
    );
    CREATE TABLE records (
      seq INTEGER PRIMARY KEY,
      id TEXT NOT NULL UNIQUE,
      source TEXT NOT NULL,
      url TEXT,
      title TEXT NOT NULL,
      file TEXT NOT NULL,
      published INTEGER,
      fetched INTEGER NOT NULL
    );
    CREATE TABLE alerts (
      seq INTEGER PRIMARY KEY,
      alert_id TEXT NOT NULL UNIQUE,
      rule TEXT NOT NULL,
      record_id TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload TEXT NOT NULL,
      created INTEGER NOT NULL,
      published INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX alerts_unpublished ON alerts (seq) WHERE published = 0;
    )sql",
    // 2: the record's text lives in the database, the source of truth; the
    // files under records/ are a copy for people and tools.
    R"sql(
    ALTER TABLE records ADD COLUMN text TEXT;
    )sql",
    // 3: feeds and their polling state; record metadata from article pages and
    // the near-duplicate fingerprint.
    R"sql(
    CREATE TABLE feeds (
      id TEXT PRIMARY KEY,
      source_url TEXT NOT NULL,
      url TEXT NOT NULL,
      etag TEXT NOT NULL DEFAULT '',
      last_modified TEXT NOT NULL DEFAULT '',
      last_success INTEGER,
      next_poll INTEGER,
      last_status INTEGER NOT NULL DEFAULT 0,
      last_error TEXT NOT NULL DEFAULT '',
      consecutive_failures INTEGER NOT NULL DEFAULT 0,
      gone INTEGER NOT NULL DEFAULT 0,
      items_seen INTEGER NOT NULL DEFAULT 0,
      bozo INTEGER NOT NULL DEFAULT 0,
      updated INTEGER NOT NULL
    );
    ALTER TABLE records ADD COLUMN author TEXT;
    ALTER TABLE records ADD COLUMN lang TEXT;
    ALTER TABLE records ADD COLUMN fingerprint BLOB;
    ALTER TABLE records ADD COLUMN duplicate_of TEXT;
    )sql",
    // 4: how far publishing got, as one watermark (alerts are published in seq
    // order), so marking a batch published writes one small row instead of
    // rewriting the page of every alert and an index; seen items without a
    // rowid: one B-tree keyed by (source, key) instead of a table and an index.
    R"sql(
    CREATE TABLE publish_progress (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      seq INTEGER NOT NULL
    );
    INSERT INTO publish_progress (one, seq) VALUES (1, COALESCE(
      (SELECT MIN(seq) - 1 FROM alerts WHERE published = 0),
      (SELECT MAX(seq) FROM alerts),
      0));
    DROP INDEX alerts_unpublished;
    ALTER TABLE alerts DROP COLUMN published;
    CREATE TABLE items_seen_v4 (
      source TEXT NOT NULL,
      key TEXT NOT NULL,
      outcome TEXT NOT NULL,
      seen_at INTEGER NOT NULL,
      PRIMARY KEY (source, key)
    ) WITHOUT ROWID;
    INSERT INTO items_seen_v4 (source, key, outcome, seen_at)
      SELECT source, key, outcome, seen_at FROM items_seen;
    DROP TABLE items_seen;
    ALTER TABLE items_seen_v4 RENAME TO items_seen;
    )sql",
    // 5: how far the record files got: they follow the database, written by
    // their own thread from the records after this watermark. Files of older
    // records were written before the upgrade.
    R"sql(
    CREATE TABLE record_files_progress (
      one INTEGER PRIMARY KEY CHECK (one = 1),
      seq INTEGER NOT NULL
    );
    INSERT INTO record_files_progress (one, seq)
      VALUES (1, COALESCE((SELECT MAX(seq) FROM records), 0));
    )sql",
};

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw StoreError("cannot get random bytes for the instance id");
  }
  return sha256_hex(raw, bytes);
}

}  // namespace

Store::Store(const std::filesystem::path& file, int cache_kib) {
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw StoreError("cannot open " + file.string() + ": " + msg);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec(store_connection_settings(cache_kib).c_str());
    migrate();
    Statement get(*this, "SELECT value FROM meta WHERE key = 'instance'");
    if (get.step()) {
      instance_id_ = get.text(0);
    } else {
      instance_id_ = random_hex(8);
      Statement put(*this, "INSERT INTO meta (key, value) VALUES ('instance', ?1)");
      put.bind(1, instance_id_).step();
    }
  } catch (...) {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close(db_);
    throw;
  }
}

Store::~Store() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close(db_);
}

void Store::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError("sqlite: " + msg);
  }
}

void Store::migrate() {
  std::size_t version = 0;
  {  // reset before migrating: DROP TABLE fails while a statement is active
    Statement version_stmt(*this, "PRAGMA user_version");
    version_stmt.step();
    version = static_cast<std::size_t>(version_stmt.int64(0));
  }
  constexpr std::size_t latest = std::size(kMigrations);
  if (version > latest) {
    throw StoreError("the state database has schema version " + std::to_string(version) +
                     ", newer than this wirewatch understands (" + std::to_string(latest) + ")");
  }
  for (; version < latest; ++version) {
    Transaction tx(*this);
    exec(kMigrations[version]);
    exec(("PRAGMA user_version = " + std::to_string(version + 1)).c_str());
    tx.commit();
  }
}

std::string Store::instance_id() const { return instance_id_; }

Store::Transaction::Transaction(Store& store) : store_(store) { store_.exec("BEGIN IMMEDIATE"); }

Store::Transaction::~Transaction() {
  if (!done_) sqlite3_exec(store_.db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

void Store::Transaction::commit() {
  store_.exec("COMMIT");
  done_ = true;
}

bool Store::item_seen(const std::string& source, const std::string& key) {
  Statement s(*this, "SELECT 1 FROM items_seen WHERE source = ?1 AND key = ?2");
  return s.bind(1, source).bind(2, key).step();
}

void Store::mark_item_seen(const std::string& source, const std::string& key, const std::string& outcome) {
  Statement s(*this,
              "INSERT OR REPLACE INTO items_seen (source, key, outcome, seen_at) "
              "VALUES (?1, ?2, ?3, ?4)");
  s.bind(1, source).bind(2, key).bind(3, outcome).bind(4, now_seconds().time_since_epoch().count());
  s.step();
}

bool Store::record_exists(const std::string& id) {
  Statement s(*this, "SELECT 1 FROM records WHERE id = ?1");
  return s.bind(1, id).step();
}

std::uint64_t Store::next_record_seq() {
  Statement s(*this, "SELECT COALESCE(MAX(seq), 0) + 1 FROM records");
  s.step();
  return static_cast<std::uint64_t>(s.int64(0));
}

bool Store::insert_record(const RecordRow& r) {
  Statement s(*this,
              "INSERT INTO records (seq, id, source, url, title, file, published, fetched, text, "
              "author, lang, fingerprint, duplicate_of) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
              "ON CONFLICT (id) DO NOTHING");
  s.bind(1, static_cast<std::int64_t>(r.seq)).bind(2, r.id).bind(3, r.source);
  if (r.url.empty())
    s.bind_null(4);
  else
    s.bind(4, r.url);
  s.bind(5, r.title).bind(6, r.file);
  if (r.published)
    s.bind(7, r.published->time_since_epoch().count());
  else
    s.bind_null(7);
  s.bind(8, r.fetched.time_since_epoch().count());
  s.bind(9, r.text);
  auto text_or_null = [&](int i, const std::string& v) {
    if (v.empty())
      s.bind_null(i);
    else
      s.bind(i, v);
  };
  text_or_null(10, r.author);
  text_or_null(11, r.lang);
  if (r.fingerprint.empty())
    s.bind_null(12);
  else
    s.bind_blob(12, r.fingerprint);
  text_or_null(13, r.duplicate_of);
  s.step();
  return sqlite3_changes(db_) > 0;
}

bool Store::alert_exists(const std::string& alert_id) {
  Statement s(*this, "SELECT 1 FROM alerts WHERE alert_id = ?1");
  return s.bind(1, alert_id).step();
}

std::uint64_t Store::last_alert_seq() {
  Statement s(*this, "SELECT COALESCE(MAX(seq), 0) FROM alerts");
  s.step();
  return static_cast<std::uint64_t>(s.int64(0));
}

void Store::insert_alert(const StoredAlert& a, const std::string& rule, const std::string& record_id,
                         TimePoint created) {
  Statement s(*this,
              "INSERT INTO alerts (seq, alert_id, rule, record_id, topic, payload, created) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind(1, static_cast<std::int64_t>(a.seq)).bind(2, a.alert_id).bind(3, rule).bind(4, record_id);
  s.bind(5, a.topic).bind(6, a.payload).bind(7, created.time_since_epoch().count());
  s.step();
}

std::uint64_t Store::published_seq() {
  Statement s(*this, "SELECT seq FROM publish_progress");
  return s.step() ? static_cast<std::uint64_t>(s.int64(0)) : 0;
}

std::vector<StoredAlert> Store::unpublished_alerts() {
  Statement s(*this,
              "SELECT seq, alert_id, topic, payload FROM alerts "
              "WHERE seq > (SELECT seq FROM publish_progress) ORDER BY seq");
  std::vector<StoredAlert> out;
  while (s.step()) {
    out.push_back({static_cast<std::uint64_t>(s.int64(0)), s.text(1), s.text(2), s.text(3)});
  }
  return out;
}

std::optional<connectors::FeedState> Store::feed_state(const std::string& id) {
  Statement s(*this,
              "SELECT source_url, url, etag, last_modified, last_success, next_poll, last_status, "
              "last_error, consecutive_failures, gone, items_seen, bozo FROM feeds WHERE id = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  connectors::FeedState f;
  f.source_url = s.text(0);
  f.url = s.text(1);
  f.etag = s.text(2);
  f.last_modified = s.text(3);
  if (!s.is_null(4)) f.last_success = TimePoint(std::chrono::seconds(s.int64(4)));
  if (!s.is_null(5)) f.next_poll = TimePoint(std::chrono::seconds(s.int64(5)));
  f.last_status = static_cast<long>(s.int64(6));
  f.last_error = s.text(7);
  f.consecutive_failures = static_cast<int>(s.int64(8));
  f.gone = s.int64(9) != 0;
  f.items_seen = static_cast<std::uint64_t>(s.int64(10));
  f.bozo = s.int64(11) != 0;
  return f;
}

void Store::save_feed_state(const std::string& id, const connectors::FeedState& f) {
  Statement s(*this,
              "INSERT OR REPLACE INTO feeds (id, source_url, url, etag, last_modified, last_success, "
              "next_poll, last_status, last_error, consecutive_failures, gone, items_seen, bozo, "
              "updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
  s.bind(1, id).bind(2, f.source_url).bind(3, f.url).bind(4, f.etag).bind(5, f.last_modified);
  if (f.last_success)
    s.bind(6, f.last_success->time_since_epoch().count());
  else
    s.bind_null(6);
  if (f.next_poll)
    s.bind(7, f.next_poll->time_since_epoch().count());
  else
    s.bind_null(7);
  s.bind(8, static_cast<std::int64_t>(f.last_status)).bind(9, f.last_error);
  s.bind(10, static_cast<std::int64_t>(f.consecutive_failures)).bind(11, std::int64_t{f.gone});
  s.bind(12, static_cast<std::int64_t>(f.items_seen)).bind(13, std::int64_t{f.bozo});
  s.bind(14, now_seconds().time_since_epoch().count());
  s.step();
}

std::vector<std::pair<std::string, connectors::FeedState>> Store::feed_states() {
  std::vector<std::string> ids;
  {
    Statement s(*this, "SELECT id FROM feeds ORDER BY id");
    while (s.step()) ids.push_back(s.text(0));
  }
  std::vector<std::pair<std::string, connectors::FeedState>> out;
  for (auto& id : ids)
    if (auto f = feed_state(id)) out.emplace_back(std::move(id), std::move(*f));
  return out;
}

std::vector<std::string> Store::prune_records(TimePoint fetched_before) {
  std::vector<std::string> files;
  {
    Statement s(*this, "SELECT file FROM records WHERE fetched < ?1");
    s.bind(1, fetched_before.time_since_epoch().count());
    while (s.step()) files.push_back(s.text(0));
  }
  Statement del(*this, "DELETE FROM records WHERE fetched < ?1");
  del.bind(1, fetched_before.time_since_epoch().count()).step();
  return files;
}

std::vector<RecordFileRow> Store::record_files_after(std::uint64_t since, std::size_t max_rows) {
  Statement s(*this, "SELECT seq, file, text FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  s.bind(1, static_cast<std::int64_t>(since)).bind(2, static_cast<std::int64_t>(max_rows));
  std::vector<RecordFileRow> out;
  while (s.step()) {
    RecordFileRow r{static_cast<std::uint64_t>(s.int64(0)), s.text(1), std::nullopt};
    if (!s.is_null(2)) r.text = s.text(2);
    out.push_back(std::move(r));
  }
  return out;
}

std::uint64_t Store::record_files_seq() {
  Statement s(*this, "SELECT seq FROM record_files_progress");
  return s.step() ? static_cast<std::uint64_t>(s.int64(0)) : 0;
}

void Store::set_record_files_seq(std::uint64_t seq) {
  raise_watermark_without_fsync("UPDATE record_files_progress SET seq = max(seq, ?1)", seq);
}

// Progress markers only save work after a restart, so their transactions skip
// the fsync that commits creating alerts pay; the connection is FULL again after.
void Store::raise_watermark_without_fsync(const char* update_sql, std::uint64_t seq) {
  exec("PRAGMA synchronous=NORMAL");
  struct RestoreFull {
    Store& store;
    ~RestoreFull() { sqlite3_exec(store.db_, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr); }
  } restore{*this};
  Transaction tx(*this);
  Statement s(*this, update_sql);
  s.bind(1, static_cast<std::int64_t>(seq)).step();
  tx.commit();
}

void Store::hand_checkpoints_to(std::function<void()> request, int pages) {
  checkpoint_request_ = std::move(request);
  checkpoint_pages_ = std::max(pages, 1);
  if (checkpoint_request_) {
    sqlite3_wal_hook(db_, &Store::on_wal_commit, this);
  } else {
    sqlite3_wal_autocheckpoint(db_, kWalCheckpointPages);  // SQLite's own hook again
  }
}

int Store::on_wal_commit(void* store, sqlite3* db, const char*, int pages) {
  auto* self = static_cast<Store*>(store);
  if (pages >= 4 * self->checkpoint_pages_) {
    // Errors (SQLITE_BUSY: a checkpoint is running) are SQLite's auto-checkpoint's
    // too: the commit stands, and the next one tries again.
    sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (pages >= self->checkpoint_pages_) {
    self->checkpoint_request_();
  }
  return SQLITE_OK;
}

void Store::checkpoint() {
  int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    throw StoreError(std::string("sqlite: checkpoint: ") + sqlite3_errmsg(db_));
  }
}

std::filesystem::path Store::path() const {
  const char* file = sqlite3_db_filename(db_, "main");
  return file ? std::filesystem::path(file) : std::filesystem::path();
}

void Store::each_fingerprint(const std::function<void(const std::string&, std::string_view)>& visit) {
  Statement s(*this,
              "SELECT id, fingerprint FROM records WHERE fingerprint IS NOT NULL AND "
              "duplicate_of IS NULL ORDER BY seq");
  while (s.step()) visit(s.text(0), s.text(1));
}

void Store::each_fingerprint(std::size_t limit,
                             const std::function<void(const std::string&, std::string_view)>& visit) {
  Statement s(*this,
              "SELECT id, fingerprint FROM (SELECT seq, id, fingerprint FROM records WHERE fingerprint IS "
              "NOT NULL AND duplicate_of IS NULL ORDER BY seq DESC LIMIT ?1) ORDER BY seq");
  s.bind(1,
         static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max())));
  while (s.step()) visit(s.text(0), s.text(1));
}

std::vector<StoredAlert> Store::alerts_after(std::uint64_t since, std::size_t max_rows) {
  Statement s(*this, "SELECT seq, alert_id, topic, payload FROM alerts WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  s.bind(1, static_cast<std::int64_t>(since)).bind(2, static_cast<std::int64_t>(max_rows));
  std::vector<StoredAlert> out;
  while (s.step()) {
    out.push_back({static_cast<std::uint64_t>(s.int64(0)), s.text(1), s.text(2), s.text(3)});
  }
  return out;
}

// Raises the publish watermark; never moves it back.
constexpr const char* kRaisePublishedSeq = "UPDATE publish_progress SET seq = max(seq, ?1)";

void Store::raise_published_seq(std::uint64_t seq) {
  Statement s(*this, kRaisePublishedSeq);
  s.bind(1, static_cast<std::int64_t>(seq)).step();
}

void Store::mark_published(const std::vector<std::uint64_t>& seqs) {
  if (seqs.empty()) return;
  // Only saves re-sending after a restart: delivery is at least once.
  raise_watermark_without_fsync(kRaisePublishedSeq, *std::max_element(seqs.begin(), seqs.end()));
}

}  // namespace wirewatch::daemon
