#pragma once
// RuleSet internals: compiled queries, the atom dictionaries (words, prefixes,
// metadata values) and the index from atoms to rules. Private to the rules library.
//
// An atom is what can be looked up for a record: a folded word of a field group
// (title and body share one group; url and author have their own), a prefix
// (the letters before the first `*` or `?` of a pattern), or a metadata value
// (`site:`, `source:`, `lang:`). Each rule's necessary condition is a list of
// clauses, each a list of atoms of which one must occur; the rule is indexed
// under the atoms of one clause, the others are checked against the record's
// atoms before the rule is evaluated.

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "string_index.hpp"
#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {

namespace detail {
class Scratch;
}

class RuleSet::Impl {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFF;

  // Field groups of word atoms; metadata kinds continue the numbering. Every
  // dictionary key starts with its group byte.
  enum Group : std::uint8_t { kText = 1, kUrl = 2, kAuthor = 3, kSite = 4, kSource = 5, kLang = 6 };
  static Group group_of(Field f) { return f == Field::url ? kUrl : f == Field::author ? kAuthor : kText; }

  enum class AtomKind : std::uint8_t { word, prefix, meta };
  struct Atom {
    AtomKind kind;
    Group group;
    std::string text;  // folded word, prefix letters or metadata value
  };

  // One word of a term. Small, so that a rule's patterns share a cache line;
  // the texts few patterns have are kept aside.
  struct Pattern {
    std::uint32_t atom = kNone;  // word atom, or the prefix atom of a wildcard pattern
    std::uint32_t text = kNone;  // pattern_texts_ (wildcard or case-sensitive patterns)
    bool wildcard = false;
  };
  struct PatternText {
    std::string glob;   // folded, with `?` and a final `*` (wildcards only)
    std::string exact;  // as written, NFC (case-sensitive terms only)
  };
  const std::string& glob(const Pattern& p) const { return pattern_texts_[p.text].glob; }
  const std::string& exact_text(const Pattern& p) const { return pattern_texts_[p.text].exact; }

  struct Term {
    std::uint32_t first = 0;  // term_patterns_[first, first + count)
    std::uint32_t count = 0;
    std::int32_t slop = -1;
    std::uint32_t repeat = 1;
    std::uint8_t fields = kTextBits;
    bool case_sensitive = false;
    // A plain word over all the fields of its group, needed once: it holds
    // exactly when this atom occurs (kNone otherwise).
    std::uint32_t presence = 0xFFFFFFFF;
  };

  struct Node {
    QueryNode::Kind kind = QueryNode::Kind::term;
    NearUnit unit = NearUnit::words;
    bool ordered = false;
    std::uint32_t arg = 0;      // term id, metadata atom, or NEAR distance
    std::uint32_t written = 0;  // terms and metadata: index into the rule's `written`
    std::uint32_t begin = 0;    // children: nodes_[begin, end)
    std::uint32_t end = 0;
    std::uint32_t presence = 0xFFFFFFFF;  // terms: the term's `presence`, at hand
    std::int32_t from = 0;                // the node's text: query code points [from, to)
    std::int32_t to = 0;
  };

  struct Rule {
    std::uint32_t root = 0;
    std::uint32_t written = 0;  // written_: the rule's distinct terms as written
    std::uint32_t written_count = 0;
    std::uint32_t clause_begin = 0;  // clauses_[clause_begin, clause_end)
    std::uint32_t clause_end = 0;
    std::uint32_t primary = 0;  // the indexed clause
    std::uint32_t check = 0;    // checks_[check]: the other clauses, packed
  };

  // A rule's distinct terms as written, in query order (what matches report).
  // They are packed, rule after rule, in one string — each a 4-byte length, then
  // its bytes — so that a match reads them from one place, not from a vector
  // and strings of their own, and a rule costs no allocations for them.
  void written_terms(const Rule& rule, std::vector<std::string_view>& out) const {
    out.clear();
    const char* p = written_.data() + rule.written;
    for (std::uint32_t i = 0; i < rule.written_count; ++i) {
      std::uint32_t len;
      std::memcpy(&len, p, 4);
      out.emplace_back(p + 4, len);
      p += 4 + len;
    }
  }
  // Asks the CPU to fetch the start of a rule's written terms.
  void prefetch_written(const Rule& rule) const { __builtin_prefetch(written_.data() + rule.written); }

  // Tells compiled sets apart (no two have the same), for what a thread caches per set.
  std::uint64_t serial() const { return serial_; }

  // Sizes the tables for about `rules` rules.
  void reserve(std::size_t rules);
  // Adds a rule; `root` must be a query that can match (parse_query checked it).
  void add(RuleInfo info, const QueryNode& root);
  // Builds the index once every rule is added.
  void finish();

  std::vector<Match> match(const Document& doc, MatchStats* stats) const;
  std::optional<Match> match_rule(std::size_t index, const Document& doc, bool apply_sources) const;
  std::vector<Explanation> explain(const Document& doc, const std::vector<std::string>& ids) const;
  RuleSetStats stats() const;

  const std::vector<RuleInfo>& infos() const { return infos_; }
  std::optional<std::size_t> find(std::string_view id) const;

  // For the matcher (match.cpp).
  const std::vector<Atom>& atoms() const { return atoms_; }
  const std::vector<Pattern>& term_patterns() const { return term_patterns_; }
  const std::vector<Term>& terms() const { return terms_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<Rule>& compiled() const { return rules_; }
  const detail::StringIndex& exact() const { return exact_; }
  const detail::StringIndex& heads() const { return heads_; }
  const detail::HashFilter& exact_filter() const { return exact_filter_; }
  const detail::HashFilter& head_filter() const { return head_filter_; }
  const std::vector<std::uint32_t>& head_offsets() const { return head_offsets_; }
  // A prefix in a head's list, packed for one sequential read: its length in
  // bytes, its first 8 bytes (zero-padded) and its atom.
  struct HeadEntry {
    std::uint64_t first8;
    std::uint32_t length;
    std::uint32_t atom;
  };
  const std::vector<HeadEntry>& head_atoms() const { return head_atoms_; }
  // An index entry: a rule, its root node and where its other clauses are
  // packed in checks_ (kNone: none left to check). The rarest other clause, when
  // it has at most two atoms, is copied into the entry (a0, a1; kNone when not),
  // so that most rules reached are turned away, or taken, without reading
  // anything else. kRestricted in `root` marks a rule with `sources:`.
  static constexpr std::uint32_t kRestricted = 0x80000000;
  struct Posting {
    std::uint32_t rule;
    std::uint32_t root;
    std::uint32_t check;
    std::uint32_t a0;
    std::uint32_t a1;
  };
  // The clauses a reached rule must also satisfy, packed per rule for one
  // sequential read: its root node, the count, then each clause's length and atoms.
  const std::vector<std::uint32_t>& checks() const { return checks_; }

 private:
  using Clauses = std::vector<std::vector<std::uint32_t>>;

  void compile(const QueryNode& n, Rule& rule, std::uint32_t slot);
  std::uint32_t atom(AtomKind kind, Group group, std::string_view text);
  std::uint32_t pattern(Group group, const std::string& word, const std::string& exact, bool case_sensitive);
  std::uint32_t term(const QueryNode& n);
  std::uint32_t new_term(const QueryNode& n, Group group, const std::vector<std::uint32_t>& ids);
  Clauses required(std::uint32_t node) const;
  double atom_cost(std::uint32_t atom) const;
  double cost(const std::vector<std::uint32_t>& clause) const;
  double index_cost(std::uint32_t clause, const std::vector<std::uint32_t>& usage) const;
  Posting posting(std::uint32_t rule) const;

  static std::uint64_t next_serial();
  const std::uint64_t serial_ = next_serial();
  std::string key_buf_, pattern_key_, term_key_;  // compiling: reused buffers
  std::vector<std::uint32_t> term_patterns_buf_;
  std::vector<std::uint32_t> atom_patterns_;  // compiling: word atom -> its plain pattern, or kNone
  std::vector<std::uint32_t> pattern_terms_;  // compiling: pattern -> its plain term, or kNone
  std::string written_;                       // see written_terms()
  std::vector<RuleInfo> infos_;
  std::vector<Rule> rules_;
  std::vector<Node> nodes_;
  std::vector<Term> terms_;
  std::vector<Pattern> term_patterns_;
  std::vector<Pattern> patterns_;  // while compiling: distinct patterns
  std::vector<PatternText> pattern_texts_;
  std::vector<Atom> atoms_;

  detail::StringIndex exact_;     // group byte + word or metadata value -> atom
  detail::StringIndex prefixes_;  // group byte + prefix letters -> atom
  detail::StringIndex heads_;     // group byte + first 4 code points of a prefix (or all 3) -> head id
  detail::HashFilter exact_filter_;
  detail::HashFilter head_filter_;
  std::vector<std::vector<std::uint32_t>> head_lists_;  // while building
  std::vector<std::uint32_t> head_offsets_;             // head id -> head_atoms_ range (CSR)
  std::vector<HeadEntry> head_atoms_;
  detail::StringIndex pattern_ids_;  // pattern key -> pattern id
  detail::StringIndex term_ids_;     // term key -> term id

  std::vector<std::uint32_t> clause_offsets_{0};  // clause -> clause_atoms_ range
  std::vector<std::uint32_t> clause_atoms_;
  std::vector<std::uint32_t> posting_offsets_;  // atom -> postings_ range (CSR)
  std::vector<Posting> postings_;
  std::vector<std::uint32_t> unindexed_;  // rules without a required clause (none in practice)
  std::vector<std::uint32_t> checks_;
  detail::StringIndex ids_;  // rule id -> index
};

}  // namespace wirewatch::rules
