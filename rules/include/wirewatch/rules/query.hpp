#pragma once
// The query language (docs/rules.md):
//   wagner                 a word (whole word, folded: case, Latin diacritics, ё)
//   "joint combat training" a phrase: consecutive words in one paragraph of one field
//   "wagner instructors"~5 the words within 5 positions, in any order, in one field
//   instruct*  organi?ation  a prefix (3+ letters before `*`), one letter (`?`)
//   a AND b, a OR b, NOT a, -a, (…)   precedence NOT > AND > OR; `a b` means AND
//   a NEAR/5 b  a ONEAR/5 b  a NEAR/s b  a NEAR/p b   proximity (ONEAR: in order)
//   repeat3:wagner         at least 3 occurrences
//   title: body: url: author:   the field a term is matched in (default title or body)
//   site:belta.by source:belta lang:ru   record metadata
//   @list                  a named list of words and phrases, as an OR
//   case:Almaz             exact case (and accents)
// A query word that contains separators (`Volat-V2`, `nation’s`) means the
// phrase of its parts.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::rules {

// Fields a term may match in, as a bit set.
enum FieldBits : std::uint8_t {
  kTitleBit = 1,
  kBodyBit = 2,
  kUrlBit = 4,
  kAuthorBit = 8,
  kTextBits = kTitleBit | kBodyBit,
};

enum class MetaField : std::uint8_t { site, source, lang };
std::string_view meta_field_name(MetaField f);  // "site" / "source" / "lang"

enum class NearUnit : std::uint8_t { words, sentence, paragraph };

struct QueryNode {
  enum class Kind { term, and_, or_, not_, near, meta };
  Kind kind = Kind::term;

  // ---- terms: one word, or several (a phrase); each word a folded pattern in
  // which `?` stands for one letter and a final `*` for any ending.
  std::vector<std::string> words;
  std::vector<std::string> exact;  // the words as written (NFC), for case-sensitive terms
  bool case_sensitive = false;
  int slop = -1;   // "…"~N: every word within N positions; -1: consecutive
  int repeat = 1;  // repeatN: at least N occurrences
  std::uint8_t fields = kTextBits;

  // ---- meta: site / source / lang with its value (host and lang lowercased)
  MetaField meta = MetaField::site;
  std::string value;

  // ---- near: children[0] and children[1], each a term or an OR of terms
  NearUnit unit = NearUnit::words;
  int distance = 0;  // for NearUnit::words
  bool ordered = false;

  // The term, or for other nodes the whole expression, as written in the query
  // (for list entries: the entry). Offsets are code points into the query.
  std::string written;
  int offset = 0;
  int end = 0;
  bool parenthesized = false;
  std::vector<std::unique_ptr<QueryNode>> children;
};

struct QueryProblem {
  int offset = 0;  // code points into the query string (0-based)
  std::string message;
};

struct ParsedQuery {
  std::unique_ptr<QueryNode> root;  // null when there are errors
  std::vector<QueryProblem> errors;
  std::vector<QueryProblem> warnings;
};

// Named lists for `@name`: each entry a word or phrase as written in the file.
using QueryLists = std::map<std::string, std::vector<std::string>, std::less<>>;

// Hard limits on a query (limits.max_query_length, limits.max_query_depth): the
// parser is recursive, so nesting is bounded before it can exhaust the stack.
struct QueryLimits {
  std::size_t max_length = 64 * 1024;  // bytes
  std::size_t max_depth = 100;         // parentheses, NOT and field prefixes, nested
};

ParsedQuery parse_query(std::string_view query, const QueryLists& lists = {}, const QueryLimits& limits = {});

// Checks one list entry (a word, a phrase, possibly with `*` or `?`); errors
// carry offsets into the entry.
std::vector<QueryProblem> check_list_entry(std::string_view entry);

// A rendering of a query tree in one line, operators spelled out, for tests and
// `--explain`: AND(a, OR(b, NEAR/5("x y", z))).
std::string describe(const QueryNode& n);

}  // namespace wirewatch::rules
