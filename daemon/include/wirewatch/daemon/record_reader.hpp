#pragma once
// Reads the stored records of an install from its state database without ever
// writing to it: a read-only SQLite connection that waits for the daemon's
// writes (WAL) instead of failing, and never creates or migrates the schema.
// For tools such as `wirewatch match --since`, which run beside a live daemon.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "wirewatch/common/time.hpp"

struct sqlite3;

namespace wirewatch::daemon {

struct RecordReaderError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A row of the `records` table.
struct StoredRecord {
  std::uint64_t seq = 0;
  std::string id;
  std::string source;
  std::string url;
  std::string title;
  std::string text;  // the record file's content (parse_record reads it)
  std::string file;  // relative to the state folder
  std::string author;
  std::string lang;
  std::optional<TimePoint> published;
  TimePoint fetched;  // when it was stored
};

class RecordReader {
 public:
  // Opens `database` read-only. Throws RecordReaderError when it is missing, is
  // not a wirewatch state database, or has a schema this version cannot read.
  explicit RecordReader(const std::filesystem::path& database);
  ~RecordReader();
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // Calls `fn` for every record stored at or after `since`, newest first (the
  // latest stored first among records stored in the same second), until it
  // returns false. One read transaction: a daemon storing records meanwhile
  // neither blocks nor changes what is read.
  void for_each_since(TimePoint since, const std::function<bool(const StoredRecord&)>& fn);

 private:
  sqlite3* db_ = nullptr;
  int version_ = 0;
};

}  // namespace wirewatch::daemon
