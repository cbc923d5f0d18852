#pragma once
// The peers of the rule-matching benchmark:
//   (a) RE2 per rule: each rule on its own, one case-insensitive, word-bounded
//       RE2 per term, the rule's boolean logic short-circuited;
//   (b) RE2::Set over all distinct terms (same patterns), then the boolean logic
//       of every rule over the set of terms found;
//   (c) Hyperscan block mode over all distinct terms as case-insensitive
//       literals (HS_FLAG_CASELESS | HS_FLAG_SINGLEMATCH, no word boundaries),
//       then the same boolean logic.
// The peers see a rule as boolean logic over terms: a word, a phrase (words
// separated by non-word characters; literally by one space for Hyperscan) or a
// prefix. NEAR, ONEAR, phrase~N and repeatN: become AND / presence, fields are
// ignored, and Hyperscan's literals do not fold Unicode case or accents — so the
// peers do less than wirewatch, which evaluates positions and fields in full.

#include <memory>
#include <string>
#include <vector>

#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::bench {

// A rule as the peers see it.
struct PeerNode {
  enum class Kind { term, and_, or_, not_, true_ } kind = Kind::term;
  std::size_t term = 0;
  std::vector<PeerNode> children;
};

struct PeerTerm {
  std::vector<std::string> words;  // as written, NFC
  bool prefix = false;             // the last word is a prefix
};

struct PeerRules {
  std::vector<PeerTerm> terms;  // distinct
  std::vector<PeerNode> rules;
};

PeerRules peer_rules(const std::vector<rules::RuleDefinition>& defs);

// Evaluates a peer rule over term presence.
bool peer_eval(const PeerNode& n, const std::vector<char>& found);

// What a peer reports after compiling, and per record.
class Peer {
 public:
  virtual ~Peer() = default;
  virtual std::string name() const = 0;
  virtual std::string settings() const = 0;
  // An error when the peer could not be built (e.g. out of memory).
  virtual std::string error() const { return {}; }
  // The number of rules that match the text.
  virtual std::size_t match(const std::string& text) = 0;
};

std::unique_ptr<Peer> make_re2_per_rule(const PeerRules& rules);
std::unique_ptr<Peer> make_re2_set(const PeerRules& rules);
std::unique_ptr<Peer> make_hyperscan(const PeerRules& rules);

}  // namespace wirewatch::bench
