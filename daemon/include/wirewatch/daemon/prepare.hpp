#pragma once
// The CPU stage between sources and the store: turns what a source produced
// into normalized records with their rule matches. A pure function of its
// input and the rule set, so it runs on any worker thread and is testable alone.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "wirewatch/connectors/directory_source.hpp"
#include "wirewatch/connectors/feed_poller.hpp"
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
  std::optional<Record> record;  // empty: rejected, see `rejection`
  std::string rejection;
  std::vector<rules::Match> matches;
  std::string fingerprint;  // TextFingerprint::to_bytes(), for near-duplicates
};

// What the store commits in one transaction (with other batches).
struct StoreBatch {
  std::vector<Candidate> candidates;
  // A feed poll's new state, committed with its records.
  std::optional<std::pair<std::string, connectors::FeedState>> feed_state;
};

StoreBatch prepare(const SourceInput& input, const rules::RuleSet& rules);

// A feed entry as a record: the article extracted from its page when there is
// one, else the item's title and the text of its content or summary.
Candidate candidate_from_feed_entry(const std::string& source_id,
                                    const connectors::FeedEntry& entry);

// Matches a record against the rules.
std::vector<rules::Match> match_record(const Record& record, const rules::RuleSet& rules);

}  // namespace wirewatch::daemon
