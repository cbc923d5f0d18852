#include "wirewatch/daemon/prepare.hpp"

namespace wirewatch::daemon {
namespace {

Candidate from_directory(const connectors::DirectoryItem& item, const rules::RuleSet& rules) {
  Candidate c;
  c.source_id = item.source_id;
  c.item_key = item.key;
  c.origin = item.path.string();
  auto parsed = parse_record(item.bytes);
  if (auto* err = std::get_if<RecordError>(&parsed)) {
    c.rejection = err->message;
    return c;
  }
  Record record;
  record.text = std::move(std::get<RecordText>(parsed));
  record.source = item.source_id;
  record.fetched = now_seconds();
  auto named_id = id_from_file_name(item.path.filename().string());
  record.id = named_id ? *named_id : record_id("", record.text);
  c.matches = match_record(record, rules);
  c.record = std::move(record);
  return c;
}

}  // namespace

std::vector<rules::Match> match_record(const Record& record, const rules::RuleSet& rules) {
  const rules::TextDocument doc(record.text.title, record.text.body());
  return rules.match(doc);
}

StoreBatch prepare(const SourceInput& input, const rules::RuleSet& rules) {
  StoreBatch batch;
  std::visit([&](const auto& in) { batch.candidates.push_back(from_directory(in, rules)); }, input);
  return batch;
}

}  // namespace wirewatch::daemon
