#pragma once
// The record: the one text format every source is turned into.
//
// A record file is UTF-8. Line 1 is the title; then come paragraphs, each a run
// of non-blank lines kept exactly as written, separated by one or more blank
// lines (a line of only whitespace is blank). The writer emits the title, one
// blank line, the paragraphs separated by exactly one blank line, and no newline
// after the last paragraph.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "wirewatch/common/time.hpp"

namespace wirewatch {

struct RecordText {
  std::string title;
  std::vector<std::string> paragraphs;

  // The paragraphs joined by one blank line: the body exactly as written in a record file.
  std::string body() const;
  bool operator==(const RecordText&) const = default;
};

struct Record {
  std::string id;  // 16 lowercase hex digits
  RecordText text;
  std::string url;     // canonical URL; empty when the record has none
  std::string source;  // id of the source it came from
  std::optional<TimePoint> published;
  std::optional<TimePoint> fetched;
  std::string author;    // empty when unknown
  std::string language;  // lowercase primary subtag ("en", "ru"); empty when unknown
};

struct RecordError {
  std::string message;
};

// Parses the bytes of a record file. Strips leading BOMs, the CRs before each LF and the
// newlines at the end of the file. Fails on invalid UTF-8 or a missing title.
std::variant<RecordText, RecordError> parse_record(std::string_view bytes);

// The canonical file form of a record (see above). Idempotent through parse_record.
std::string write_record(const RecordText& record);

// The id of a record: the first 8 bytes of SHA-256, in hex, of its canonical URL,
// or of write_record(text) when it has no URL.
std::string record_id(std::string_view canonical_url, const RecordText& text);

// The id kept in a record file name `<seq>_<16 hex>.txt`, when the name has that shape.
std::optional<std::string> id_from_file_name(std::string_view file_name);

// `<seq>_<id>.txt`, seq zero-padded to at least 3 digits.
std::string stored_file_name(std::uint64_t seq, std::string_view id);

}  // namespace wirewatch
