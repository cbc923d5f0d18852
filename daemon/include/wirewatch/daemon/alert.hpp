#pragma once
// The alert message published on ZeroMQ (schema 1, documented in docs/alerts.md).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "wirewatch/common/time.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::daemon {

inline constexpr int kAlertSchema = 1;

// `<rule id>:<record id>`
std::string alert_id(const std::string& rule_id, const std::string& record_id);

// The `record` object: id, title, url, source, published, fetched — a value that
// is not known is omitted, never null.
nlohmann::json record_summary(const Record& record);

// The `hits` array of a match: [{term, field, offset, length}].
nlohmann::json hits_json(const rules::Match& match);

// The whole alert object (frame 2 of the message).
nlohmann::json alert_json(std::uint64_t seq, const rules::Match& match, const Record& record,
                          TimePoint created);

// JSON as wirewatch sends it: compact, invalid UTF-8 replaced by U+FFFD.
std::string dump_json(const nlohmann::json& j);

// An alert's frame 2, rendered ahead of its commit by a worker: all of it but
// the seq and the time, which only the store thread assigns. render() splices
// those two in, so the one store thread builds no JSON tree per alert (a third
// of its CPU time besides SQLite's). render(seq, format_utc(created)) is
// exactly dump_json(alert_json(seq, match, record, created)).
class AlertPayload {
 public:
  AlertPayload(const rules::Match& match, const Record& record);
  std::string render(std::uint64_t seq, std::string_view time) const;

 private:
  std::string before_seq_, before_time_, after_time_;
};

}  // namespace wirewatch::daemon
