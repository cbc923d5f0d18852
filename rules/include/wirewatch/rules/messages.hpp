#pragma once
// Every user-facing message of the rules component, in one place, so tests compare
// against the same text users see. Diagnostics print them as
// `file:line:col: error: <message>`.
//
// (Unknown keys, duplicate YAML keys and YAML syntax errors are reported by
// wirewatch::common with its own texts.)

#include <string>
#include <string_view>

namespace wirewatch::rules::messages {

inline std::string quoted(std::string_view s) { return "`" + std::string(s) + "`"; }

// ---- queries ---------------------------------------------------------------

inline const std::string kEndOfQuery = "end of query";

inline std::string empty_query() { return "empty query: expected a word, a \"phrase\", `(` or `NOT`"; }

// `found` is either kEndOfQuery or a token in backticks (see quoted()).
inline std::string expected_operand(std::string_view found) {
  return "expected a word, a \"phrase\", `(` or `NOT`, found " + std::string(found);
}
inline std::string expected_operand_after(std::string_view op, std::string_view found) {
  return "expected a word, a \"phrase\", `(` or `NOT` after " + quoted(op) + ", found " +
         std::string(found);
}
inline std::string expected_close_paren(std::string_view found) {
  return "expected `)` to close `(`, found " + std::string(found);
}
inline std::string unmatched_close_paren() {
  return "expected an operator, a term or end of query, found `)` without a matching `(`";
}
inline std::string unterminated_phrase() {
  return "unterminated phrase: expected a closing `\"` before end of query";
}
inline std::string empty_phrase() { return "empty phrase: expected words between the quotes"; }
inline std::string no_word(std::string_view text) {
  return "expected a word, found " + quoted(text) + " (it has no letters or digits)";
}
inline std::string never_matches() {
  return "query can never match: expected a term that is not under `NOT`";
}
inline std::string or_branch_never_matches() {
  return "this `OR` branch can never match: expected a term that is not under `NOT`";
}
// Warning: a lower-case operator word is matched as a word.
inline std::string lowercase_operator(std::string_view written, std::string_view op) {
  return quoted(written) + " is matched as a word; the operator is written " + quoted(op);
}

// ---- rule files ------------------------------------------------------------

inline std::string top_level_not_mapping() {
  return "expected a mapping with a `rules` key at the top level";
}
inline std::string rules_not_sequence() { return "expected a sequence of rules for `rules`"; }
inline std::string rule_not_mapping() {
  return "expected a rule: a mapping with at least `id` and `query`";
}
inline std::string expected_string(std::string_view key) {
  return "expected a string for " + quoted(key);
}
inline std::string missing_key(std::string_view key) {
  return "rule is missing the required key " + quoted(key);
}
inline std::string invalid_id(std::string_view id) {
  return "invalid rule id " + quoted(id) +
         ": expected a letter or digit, then letters, digits, `_`, `.` or `-`";
}
inline std::string duplicate_id(std::string_view id, std::string_view first_where) {
  return "duplicate rule id " + quoted(id) + " (first defined at " + std::string(first_where) +
         ")";
}
inline std::string invalid_severity(std::string_view s) {
  return "invalid severity " + quoted(s) + ": expected one of info, low, medium, high, critical";
}
inline std::string empty_topic() { return "empty topic: expected a topic name or no `topic` key"; }
inline std::string invalid_topic(std::string_view t) {
  return "invalid topic " + quoted(t) +
         ": expected a letter or digit, then letters, digits, `_`, `.` or `-` (no whitespace)";
}
inline std::string reserved_topic(std::string_view t) {
  return "reserved topic " + quoted(t) + ": topics must not start with `records.` or `wirewatch.`";
}
inline std::string lists_not_mapping() {
  return "expected a mapping from list names to sequences of strings for `lists`";
}
inline std::string list_not_sequence(std::string_view name) {
  return "expected a sequence of strings for list " + quoted(name);
}
inline std::string list_item_not_string(std::string_view name) {
  return "expected a string in list " + quoted(name);
}
inline std::string cannot_read_directory(std::string_view why) {
  return "cannot read directory: " + std::string(why);
}

}  // namespace wirewatch::rules::messages
