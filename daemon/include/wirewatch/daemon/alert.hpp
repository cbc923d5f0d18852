#pragma once
// The alert message published on ZeroMQ (schema 1, documented in docs/alerts.md).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

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

}  // namespace wirewatch::daemon
