#pragma once
// The CPU stage between sources and the store: turns what a source produced
// into normalized records with their rule matches. A pure function of its
// input and the rule set, so it runs on any worker thread and is testable alone.

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wirewatch/connectors/directory_source.hpp"
#include "wirewatch/connectors/feed_poller.hpp"
#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::daemon {

// What a source hands to the pipeline.
using SourceInput = std::variant<connectors::DirectoryItem, connectors::FeedPollResult>;

// One record-to-be, normalized and matched, not yet stored.
struct Candidate {
  std::string source_id;
  std::string item_key;  // remembered as seen once committed
  std::string origin;    // file path or URL, for logs
  // Empty: rejected, see `rejection`. Once prepare() returns, its text is the
  // title alone: the whole text is `stored_text`.
  std::optional<Record> record;
  std::string rejection;
  std::vector<rules::Match> matches;
  std::vector<AlertPayload> alert_payloads;  // one per match, in the same order
  std::string fingerprint;                   // TextFingerprint::to_bytes(), for near-duplicates
  // write_record(record->text): the text as stored. Made here, on a worker,
  // like the fingerprint, so the one store thread only copies it.
  std::string stored_text;
  std::vector<const char*> limits_tripped;  // "max_paragraphs", "max_record_bytes": cut to fit
};

// limits.max_paragraphs and limits.max_record_bytes.
struct RecordLimits {
  std::size_t max_paragraphs = 2000;
  std::size_t max_record_bytes = 1024 * 1024;
};

// Cuts `text` to the limits: paragraphs past max_paragraphs are dropped, then
// the text ends at the last paragraph that fits max_record_bytes (a title or a
// first paragraph too long alone is cut at a UTF-8 character boundary).
// Returns the limits that tripped.
std::vector<const char*> apply_record_limits(RecordText& text, const RecordLimits& limits);

// What the store commits in one transaction (with other batches).
struct StoreBatch {
  std::vector<Candidate> candidates;
  // A feed poll's new state, committed with its records.
  std::optional<std::pair<std::string, connectors::FeedState>> feed_state;
  // When the source had the input in hand (fetch done, file read); the
  // fetch-to-publish latency of its alerts is measured from here. Unset: not measured.
  std::chrono::steady_clock::time_point ready_at{};
};

StoreBatch prepare(const SourceInput& input, const rules::RuleSet& rules, const RecordLimits& limits = {});

// A feed entry as a record: the article extracted from its page when there is
// one, else the item's title and the text of its content or summary.
Candidate candidate_from_feed_entry(const std::string& source_id, const connectors::FeedEntry& entry,
                                    const RecordLimits& limits = {});

// Matches a record against the rules.
std::vector<rules::Match> match_record(const Record& record, const rules::RuleSet& rules);

}  // namespace wirewatch::daemon
