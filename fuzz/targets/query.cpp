// The query language: parse_query, then compiling the query into a rule set and
// matching it. The input is `query\ntitle\nbody`; the named list @places
// exists.

#include "wirewatch/rules/query.hpp"

#include <string>

#include "fuzz_input.hpp"
#include "wirewatch/rules/rule_set.hpp"

using namespace wirewatch;
using namespace wirewatch::rules;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto query = fuzz::take_line(in);
  auto title = fuzz::take_line(in);
  static const QueryLists lists = {{"places", {"Minsk", "Brest", "\"Vitebsk region\"", "Grod*"}}};

  auto parsed = parse_query(query, lists);
  if (parsed.root) {
    if (!parsed.errors.empty()) fuzz::invariant_failed();  // a tree only when it parsed
    (void)describe(*parsed.root);
  } else if (parsed.errors.empty()) {
    fuzz::invariant_failed();  // no tree must say why
  }
  (void)check_list_entry(query);

  RuleDefinition rule;
  rule.id = "fuzz";
  rule.query = std::string(query);
  auto loaded = compile_rules({rule}, lists);
  if (loaded.ok()) {
    DocumentFields fields;
    fields.title = std::string(title);
    fields.body = std::string(in);
    fields.url = "https://news.example.by/2024/03/minsk";
    fields.author = "Jane Doe";
    fields.source_id = "belta";
    fields.lang = "ru";
    TextDocument doc(std::move(fields));
    (void)loaded.rules->match(doc);
    (void)loaded.rules->explain(doc);
  }
  return 0;
}
