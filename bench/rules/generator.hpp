#pragma once
// A deterministic generator of news-like records and realistic alert rules for
// the rule-matching benchmark. Everything is derived from one seed and the seed
// records in tests/fixtures/seeds, so a rule set and corpus can be rebuilt
// exactly: the same seed gives the same rules and records on every machine.
//
// Vocabulary
//   - common words: every word of the seed records, with their counts there
//     (Zipf-like, as in real text);
//   - entities: synthetic proper names built from syllables (a tenth of them
//     Cyrillic, some with Latin diacritics), with a Zipf popularity, as names of
//     people, places and organisations are in news;
//   - persons: pairs of entities (first and last name) written together.
// Records (~5 KB): a title and paragraphs of sentences drawn from that
// vocabulary, plus the seed records themselves. A record is about a cast of
// 8–20 entities and 2–6 persons chosen by popularity (85% of its names come
// from the cast), about 1 token in 7 is a name, and a name is followed closely
// by one of its three associated context words 40% of the time.
// Rules: queries anchored on entities drawn uniformly (rule writers follow
// names whether popular or not), mixing AND/OR/NOT, phrases, NEAR, ONEAR,
// NEAR/s, prefixes, phrase~N, repeatN:, title: and OR-groups; a context word
// is one associated with the anchor 60% of the time (see query() in generator.cpp).

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::bench {

class NewsGenerator {
 public:
  static constexpr std::uint64_t kDefaultSeed = 20261122;

  NewsGenerator(std::uint64_t seed, const std::filesystem::path& seeds_dir);

  // `n` records; the seed records come first.
  std::vector<rules::DocumentFields> records(std::size_t n);
  // `n` rules with ids g0, g1, ...; the same seed and n give the same rules, and
  // the first k of n rules are the k-rule set.
  std::vector<rules::RuleDefinition> rules(std::size_t n);

  // The rules as a rule file (to time loading YAML and to inspect them).
  static std::string to_yaml(const std::vector<rules::RuleDefinition>& rules);

 private:
  std::string common_word(std::mt19937_64& rng) const;
  std::string context_word(std::mt19937_64& rng, std::size_t from_rank, std::size_t to_rank) const;
  std::size_t entity_index(std::mt19937_64& rng) const;
  struct Cast {
    std::vector<std::size_t> entities;
    std::vector<std::size_t> persons;
  };
  std::string associated(std::size_t entity, std::size_t k) const;
  std::string sentence(std::mt19937_64& rng, std::size_t words, const Cast& cast) const;
  std::string query(std::mt19937_64& rng) const;

  std::uint64_t seed_;
  std::vector<rules::DocumentFields> seed_records_;
  std::vector<std::string> common_;  // by count, most frequent first
  std::vector<double> common_cumulative_;
  std::vector<std::string> entities_;  // by popularity, most popular first
  std::vector<double> entity_cumulative_;
  std::vector<std::pair<std::size_t, std::size_t>> persons_;  // (first, last) entity indices
};

}  // namespace wirewatch::bench
