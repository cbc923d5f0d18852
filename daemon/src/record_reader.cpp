#include "wirewatch/daemon/record_reader.hpp"

#include <sqlite3.h>

#include <memory>

namespace wirewatch::daemon {
namespace {

// Schema 2 put the record's text in the database, 3 added author and lang
// (store.cpp).
constexpr int kFirstWithText = 2;
constexpr int kFirstWithMetadata = 3;
constexpr int kBusyTimeoutMs = 5000;

struct StatementCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementCloser>;

std::string column_text(sqlite3_stmt* s, int col) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, col))) : std::string();
}

}  // namespace

RecordReader::RecordReader(const std::filesystem::path& database) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(database, ec)) {
    throw RecordReaderError("no state database at " + database.string() + " (never started?)");
  }
  // SQLITE_OPEN_READONLY: no write, no journal, no schema change, whatever the
  // daemon is doing; a stopped daemon's database is read as it is.
  if (sqlite3_open_v2(database.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw RecordReaderError("cannot open " + database.string() + ": " + msg);
  }
  sqlite3_busy_timeout(db_, kBusyTimeoutMs);
  auto fail = [&](const std::string& what) {
    std::string msg = what + ": " + sqlite3_errmsg(db_);
    // close_v2: a statement still open here is finalized while unwinding, and
    // the connection goes with it (sqlite3_close would refuse and leak it).
    sqlite3_close_v2(db_);
    db_ = nullptr;
    throw RecordReaderError(database.string() + ": " + msg);
  };
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) fail("not readable");
  StatementPtr version(raw);
  if (sqlite3_step(version.get()) != SQLITE_ROW) fail("not readable");
  version_ = sqlite3_column_int(version.get(), 0);
  version.reset();
  if (version_ < kFirstWithText) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw RecordReaderError(database.string() +
                            ": not a wirewatch state database with stored "
                            "records (schema version " +
                            std::to_string(version_) + ")");
  }
}

RecordReader::~RecordReader() { sqlite3_close(db_); }

void RecordReader::for_each_since(TimePoint since, const std::function<bool(const StoredRecord&)>& fn) {
  const char* sql = version_ >= kFirstWithMetadata
                        ? "SELECT seq, id, source, url, title, text, file, author, lang, "
                          "published, fetched "
                          "FROM records WHERE fetched >= ?1 ORDER BY fetched DESC, seq DESC"
                        : "SELECT seq, id, source, url, title, text, file, NULL, NULL, "
                          "published, fetched "
                          "FROM records WHERE fetched >= ?1 ORDER BY fetched DESC, seq DESC";
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &raw, nullptr) != SQLITE_OK) {
    throw RecordReaderError(std::string("cannot read the records: ") + sqlite3_errmsg(db_));
  }
  StatementPtr s(raw);
  sqlite3_bind_int64(s.get(), 1, since.time_since_epoch().count());
  StoredRecord r;
  for (;;) {
    const int rc = sqlite3_step(s.get());
    if (rc == SQLITE_DONE) return;
    if (rc != SQLITE_ROW)
      throw RecordReaderError(std::string("cannot read the records: ") + sqlite3_errmsg(db_));
    r.seq = static_cast<std::uint64_t>(sqlite3_column_int64(s.get(), 0));
    r.id = column_text(s.get(), 1);
    r.source = column_text(s.get(), 2);
    r.url = column_text(s.get(), 3);
    r.title = column_text(s.get(), 4);
    r.text = column_text(s.get(), 5);
    r.file = column_text(s.get(), 6);
    r.author = column_text(s.get(), 7);
    r.lang = column_text(s.get(), 8);
    r.published.reset();
    if (sqlite3_column_type(s.get(), 9) != SQLITE_NULL)
      r.published = TimePoint(std::chrono::seconds(sqlite3_column_int64(s.get(), 9)));
    r.fetched = TimePoint(std::chrono::seconds(sqlite3_column_int64(s.get(), 10)));
    if (!fn(r)) return;
  }
}

}  // namespace wirewatch::daemon
