#pragma once
// RuleSet internals: compiled queries, the word dictionary and the inverted index
// from required words to rules. Private to the rules library.

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "wirewatch/rules/query.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::rules {

class RuleSet::Impl {
 public:
  static constexpr std::uint32_t kNoWord = 0xFFFFFFFF;

  // Adds a rule; `root` must be a query that can match (parse_query checked it).
  void add(RuleInfo info, const QueryNode& root);
  std::vector<Match> match(const Document& doc) const;

  const std::vector<RuleInfo>& infos() const { return infos_; }

  // A compiled query node. Children of and/or/not are kids_[begin, end).
  struct Node {
    QueryNode::Kind kind = QueryNode::Kind::term;
    std::uint32_t term = 0;     // term id (terms only)
    std::uint32_t word = kNoWord;  // the word id of a one-word term, read without indirection
    std::uint32_t written = 0;  // index into the rule's `written` (terms only)
    std::uint32_t begin = 0;
    std::uint32_t end = 0;
  };
  struct Rule {
    std::uint32_t root = 0;
    std::vector<std::string> written;         // distinct terms as written, in query order
    std::vector<std::uint32_t> written_term;  // term id of each written term
  };
  // A term is a sequence of word ids: one for a word, several for a phrase.
  using Term = std::vector<std::uint32_t>;

  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<std::uint32_t>& kids() const { return kids_; }
  const std::vector<Term>& terms() const { return terms_; }
  // The dictionary of every word used by any query.
  const std::unordered_map<std::string, std::uint32_t>& words() const { return word_ids_; }

 private:
  std::uint32_t compile(const QueryNode& n, Rule& rule);
  std::uint32_t word_id(const std::string& folded);
  std::uint32_t term_id(const std::vector<std::string>& words);
  // The words of which at least one occurs in every record the node matches;
  // false when the node can match without any (it is or has a bare NOT).
  bool required_words(std::uint32_t node, std::vector<std::uint32_t>& out) const;

  std::vector<RuleInfo> infos_;
  std::vector<Rule> rules_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> kids_;
  std::vector<Term> terms_;
  std::unordered_map<std::string, std::uint32_t> term_ids_;  // words joined by '\x1f'
  std::unordered_map<std::string, std::uint32_t> word_ids_;
  std::vector<std::string> word_text_;                     // word id -> folded word
  std::vector<std::vector<std::uint32_t>> postings_;       // word id -> rules (ascending)
};

}  // namespace wirewatch::rules
