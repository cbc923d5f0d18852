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
inline const std::string kFieldNames = "title:, body:, url:, author:, site:, source:, lang:, case:, repeatN:";

inline std::string empty_query() { return "empty query: expected a word, a \"phrase\", `(` or `NOT`"; }

// `found` is either kEndOfQuery or a token in backticks (see quoted()).
inline std::string expected_operand(std::string_view found) {
  return "expected a word, a \"phrase\", `(` or `NOT`, found " + std::string(found);
}
inline std::string expected_operand_after(std::string_view op, std::string_view found) {
  return "expected a word, a \"phrase\", `(` or `NOT` after " + quoted(op) + ", found " + std::string(found);
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
inline std::string contradiction(std::string_view term) {
  return "query can never match: " + quoted(term) + " is both required and excluded";
}
// Warning: a lower-case operator word is matched as a word.
inline std::string lowercase_operator(std::string_view written, std::string_view op) {
  return quoted(written) + " is matched as a word; the operator is written " + quoted(op);
}
// Warning: `a AND b OR c` is accepted and read as `(a AND b) OR c`.
inline std::string mixed_and_or(std::string_view reading) {
  return "`AND` and `OR` mixed without parentheses: read as " + quoted(reading) +
         "; add parentheses to say so";
}
inline std::string prefix_too_short(char wildcard) {
  return std::string("expected at least 3 letters before `") + wildcard + "`";
}
inline std::string star_not_at_end() { return "`*` can only end a word, as in `instruct*`"; }
inline std::string expected_slop() { return "expected a number of positions after `~`, as in `\"a b\"~5`"; }
inline std::string slop_too_small(int slop, std::size_t words) {
  return "`~" + std::to_string(slop) + "` can never match a phrase of " + std::to_string(words) +
         " words: expected `~" + std::to_string(words - 1) + "` or more";
}
inline std::string bad_near(std::string_view written) {
  return "expected `NEAR/n`, `NEAR/s` (same sentence) or `NEAR/p` (same paragraph) with n a "
         "number of positions from 1, found " +
         quoted(written);
}
inline std::string near_operand(std::string_view op) {
  return quoted(op) + " takes words, phrases, prefixes or a parenthesised `OR` of them";
}
inline std::string near_chain(std::string_view op) {
  return "a second " + quoted(op) + ": proximity joins two operands; write `(a NEAR/5 b) AND (b NEAR/5 c)`";
}
inline std::string unknown_field(std::string_view name) {
  return "unknown field `" + std::string(name) + ":`" + ": expected one of " + kFieldNames;
}
inline std::string field_in_field(std::string_view inner, std::string_view outer) {
  return "`" + std::string(inner) + ":` inside `" + std::string(outer) + ":`" +
         ": a term is matched in one field";
}
inline std::string meta_value(std::string_view field) {
  if (field == "site") return "`site:` takes a host name, as in `site:belta.by`";
  if (field == "source") return "`source:` takes a source id, as in `source:belta`";
  return "`lang:` takes a language code, as in `lang:ru` or `lang:en-GB`";
}
inline std::string repeat_needs_term(std::string_view written) {
  return quoted(written) + " applies to a word, a phrase or a prefix";
}
inline std::string repeat_count(std::string_view written) {
  return "expected a count of at least 1 in " + quoted(written) + ", as in `repeat3:`";
}
inline std::string expected_list_name() { return "expected a list name after `@`, as in `@leaders`"; }
inline std::string unknown_list(std::string_view name) {
  return "unknown list `@" + std::string(name) + "`: no rule file defines it under `lists`";
}
inline std::string empty_list(std::string_view name) {
  return "list `@" + std::string(name) + "` is empty, so it can never match";
}

// ---- rule files ------------------------------------------------------------

inline std::string top_level_not_mapping() {
  return "expected a mapping with a `rules` key at the top level";
}
inline std::string rules_not_sequence() { return "expected a sequence of rules for `rules`"; }
inline std::string rule_not_mapping() { return "expected a rule: a mapping with at least `id` and `query`"; }
inline std::string expected_string(std::string_view key) { return "expected a string for " + quoted(key); }
inline std::string expected_string_list(std::string_view key) {
  return "expected a sequence of strings for " + quoted(key);
}
inline std::string expected_bool(std::string_view key) {
  return "expected `true` or `false` for " + quoted(key);
}
inline std::string missing_key(std::string_view key) {
  return "rule is missing the required key " + quoted(key);
}
inline std::string invalid_id(std::string_view id) {
  return "invalid rule id " + quoted(id) +
         ": expected a letter or digit, then letters, digits, `_`, `.` or `-`";
}
inline std::string duplicate_id(std::string_view id, std::string_view first_where) {
  return "duplicate rule id " + quoted(id) + " (first defined at " + std::string(first_where) + ")";
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
inline std::string invalid_source_id(std::string_view s) {
  return "invalid source id " + quoted(s) +
         ": expected a letter or digit, then letters, digits, `_`, `.` or `-`";
}
inline std::string invalid_throttle(std::string_view t) {
  return "invalid throttle " + quoted(t) +
         ": expected a count from 1 and a duration, as in `20/1h` (units ms, s, m, h, d)";
}
inline std::string tests_not_mapping() {
  return "expected a mapping with `match` and/or `no_match` for `tests`";
}
inline std::string test_cases_not_sequence(std::string_view key) {
  return "expected a sequence of test records for " + quoted(key);
}
inline std::string test_case_invalid() {
  return "expected a record text (line 1 the title, then the body) or a mapping of title, body, "
         "url, author, source, lang";
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
inline std::string invalid_list_name(std::string_view name) {
  return "invalid list name " + quoted(name) +
         ": expected a letter or digit, then letters, digits, `_`, `.` or `-`";
}
inline std::string duplicate_list(std::string_view name, std::string_view first_where) {
  return "duplicate list " + quoted(name) + " (first defined at " + std::string(first_where) + ")";
}
inline std::string cannot_read_directory(std::string_view why) {
  return "cannot read directory: " + std::string(why);
}

// ---- rules test ------------------------------------------------------------

inline std::string test_expected_match() { return "expected a match, got none"; }
inline std::string test_expected_no_match(std::string_view terms) {
  return "expected no match, got one on " + std::string(terms);
}

}  // namespace wirewatch::rules::messages
