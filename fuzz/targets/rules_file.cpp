// Rule files: YAML → rules, lists, throttles and inline tests → compiled set;
// then the inline tests are run and one record matched and explained.

#include <string>

#include "fuzz_input.hpp"
#include "wirewatch/rules/rule_set.hpp"

using namespace wirewatch;
using namespace wirewatch::rules;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto loaded = load_rules_from_string("fuzz.yaml", std::string(in));
  if (!loaded.ok()) {
    if (loaded.diagnostics.empty()) fuzz::invariant_failed();  // a refusal always says why
    return 0;
  }
  (void)loaded.rules->run_tests();
  (void)loaded.rules->stats();
  TextDocument doc("Wagner instructors train Belarusian special forces",
                   "Joint combat training near Brest.\n\nRussia and Belarus "
                   "held exercises.");
  doc.set_url("https://www.belta.by/society/view/1.html").set_source_id("belta").set_lang("en");
  (void)loaded.rules->match(doc);
  (void)loaded.rules->explain(doc);
  return 0;
}
