#include "wirewatch/daemon/alert.hpp"

#include <stdexcept>

namespace wirewatch::daemon {

std::string alert_id(const std::string& rule_id, const std::string& record_id) {
  return rule_id + ":" + record_id;
}

nlohmann::json record_summary(const Record& record) {
  nlohmann::json r = {{"id", record.id}, {"title", record.text.title}};
  if (!record.url.empty()) r["url"] = record.url;
  if (!record.source.empty()) r["source"] = record.source;
  if (record.published) r["published"] = format_utc(*record.published);
  if (record.fetched) r["fetched"] = format_utc(*record.fetched);
  if (!record.author.empty()) r["author"] = record.author;
  if (!record.language.empty()) r["lang"] = record.language;
  return r;
}

nlohmann::json hits_json(const rules::Match& match) {
  auto hits = nlohmann::json::array();
  for (const auto& h : match.hits) {
    hits.push_back({{"term", h.term},
                    {"field", std::string(rules::field_name(h.field))},
                    {"offset", h.offset},
                    {"length", h.length}});
  }
  return hits;
}

nlohmann::json alert_json(std::uint64_t seq, const rules::Match& match, const Record& record,
                          TimePoint created) {
  return {{"schema", kAlertSchema},
          {"seq", seq},
          {"alert_id", alert_id(match.rule_id, record.id)},
          {"rule", match.rule_id},
          {"topic", match.topic},
          {"severity", std::string(rules::severity_name(match.severity))},
          {"record", record_summary(record)},
          {"matched", match.matched},
          {"hits", hits_json(match)},
          {"snippet", match.snippet},
          {"time", format_utc(created)}};
}

std::string dump_json(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

AlertPayload::AlertPayload(const rules::Match& match, const Record& record) {
  // Rendered with seq 0 and the epoch, then cut around those two values. A
  // quote inside a JSON string is escaped, so `"seq":` and `"time":"` occur
  // only as keys; "seq" and "time" are keys of the top-level object alone.
  const auto text = dump_json(alert_json(0, match, record, TimePoint{}));
  static const std::string seq_key = "\"seq\":0", time_key = "\"time\":\"" + format_utc(TimePoint{}) + "\"";
  const auto seq_at = text.find(seq_key);
  const auto time_at = text.find(time_key);
  if (seq_at == std::string::npos || time_at == std::string::npos || time_at < seq_at) {
    throw std::logic_error("alert payload without its seq or time: " + text);
  }
  const auto seq_value = seq_at + seq_key.size() - 1;
  const auto time_value = time_at + 8;  // past "time":"
  before_seq_ = text.substr(0, seq_value);
  before_time_ = text.substr(seq_value + 1, time_value - seq_value - 1);
  after_time_ = text.substr(time_at + time_key.size() - 1);
}

std::string AlertPayload::render(std::uint64_t seq, std::string_view time) const {
  const auto seq_text = std::to_string(seq);
  std::string out;
  out.reserve(before_seq_.size() + seq_text.size() + before_time_.size() + time.size() + after_time_.size());
  out.append(before_seq_).append(seq_text).append(before_time_).append(time).append(after_time_);
  return out;
}

}  // namespace wirewatch::daemon
