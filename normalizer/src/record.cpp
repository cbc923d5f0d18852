#include "wirewatch/normalizer/record.hpp"

#include <algorithm>
#include <cstdio>

#include "wirewatch/common/hash.hpp"
#include "wirewatch/common/text.hpp"

namespace wirewatch {
namespace {

bool is_blank(std::string_view line) {
  for (std::size_t pos = 0; pos < line.size();) {
    if (!is_space(next_code_point(line, pos))) return false;
  }
  return true;
}

bool is_hex_id(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string RecordText::body() const {
  std::string out;
  for (std::size_t i = 0; i < paragraphs.size(); ++i) {
    if (i) out += "\n\n";
    out += paragraphs[i];
  }
  return out;
}

std::variant<RecordText, RecordError> parse_record(std::string_view bytes) {
  // Every leading BOM: a title starting with U+FEFF would be written as a BOM that
  // the next read strips.
  while (bytes.starts_with("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  if (!is_valid_utf8(bytes)) return RecordError{"not valid UTF-8"};

  std::string text;
  text.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] != '\r') {
      text += bytes[i];
      continue;
    }
    // A run of CRs before LF goes whole: dropping only the last CR would leave a line
    // ending in CR that the next read strips, so parse(write(parse(x))) would differ.
    auto run_end = std::min(bytes.find_first_not_of('\r', i), bytes.size());
    if (run_end == bytes.size() || bytes[run_end] != '\n') text.append(bytes.substr(i, run_end - i));
    i = run_end - 1;
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();

  RecordText record;
  std::string_view rest = text;
  auto nl = rest.find('\n');
  record.title = std::string(rest.substr(0, nl));
  if (is_blank(record.title)) return RecordError{"no title on line 1"};
  rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);

  std::string paragraph;
  auto flush = [&] {
    if (!paragraph.empty()) record.paragraphs.push_back(std::move(paragraph));
    paragraph.clear();
  };
  while (!rest.empty()) {
    nl = rest.find('\n');
    auto line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (is_blank(line)) {
      flush();
    } else {
      if (!paragraph.empty()) paragraph += '\n';
      paragraph += line;
    }
  }
  flush();
  return record;
}

std::string write_record(const RecordText& record) {
  std::string out = record.title;
  if (!record.paragraphs.empty()) out += "\n\n" + record.body();
  return out;
}

std::string record_id(std::string_view canonical_url, const RecordText& text) {
  if (!canonical_url.empty()) return sha256_hex(canonical_url, 8);
  return sha256_hex(write_record(text), 8);
}

std::optional<std::string> id_from_file_name(std::string_view name) {
  if (!name.ends_with(".txt")) return std::nullopt;
  name.remove_suffix(4);
  auto underscore = name.find('_');
  if (underscore == 0 || underscore == std::string_view::npos) return std::nullopt;
  for (std::size_t i = 0; i < underscore; ++i)
    if (name[i] < '0' || name[i] > '9') return std::nullopt;
  auto id = name.substr(underscore + 1);
  if (!is_hex_id(id)) return std::nullopt;
  return std::string(id);
}

std::string stored_file_name(std::uint64_t seq, std::string_view id) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%03llu_", static_cast<unsigned long long>(seq));
  return buf + std::string(id) + ".txt";
}

}  // namespace wirewatch
