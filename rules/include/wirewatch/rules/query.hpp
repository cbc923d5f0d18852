#pragma once
// The query language, first cut: words, "quoted phrases", AND, OR, NOT and
// parentheses. Precedence NOT > AND > OR; words side by side mean AND. A query
// word that contains separators (`Volat-V2`, `nation’s`) means the phrase of
// its parts.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wirewatch::rules {

struct QueryNode {
  enum class Kind { term, and_, or_, not_ };
  Kind kind = Kind::term;
  // For terms: the folded words (one for a word, several for a phrase) and the
  // term as written in the query ("Wagner", "\"joint combat training\"").
  std::vector<std::string> words;
  std::string written;
  // Code point offset of the node's first character in the query string.
  int offset = 0;
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

ParsedQuery parse_query(std::string_view query);

}  // namespace wirewatch::rules
