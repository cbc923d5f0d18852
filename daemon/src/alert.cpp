#include "wirewatch/daemon/alert.hpp"

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

}  // namespace wirewatch::daemon
