// OPML subscription lists (`wirewatch feeds import`): parse_opml in any charset, then
// the `sources:` YAML written from it, which must read back as YAML with one source
// per feed and its URL unchanged, whatever the titles hold.

#include "wirewatch/connectors/opml.hpp"

#include <string>

#include "fuzz_input.hpp"
#include "wirewatch/common/yaml.hpp"

using namespace wirewatch;
using namespace wirewatch::connectors;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto result = parse_opml(fuzz::as_text(data, size));
  if (!result.ok() || result.feeds.empty()) return 0;
  for (const auto& f : result.feeds) (void)source_slug(f.title, f.xml_url);

  auto yaml = sources_yaml(result.feeds, "opml-");
  Diagnostics diags;
  auto doc = parse_yaml("sources.yaml", yaml, diags);
  if (!doc) fuzz::invariant_failed();
  const auto& list = doc->root()["sources"];
  if (!list.IsSequence() || list.size() != result.feeds.size()) fuzz::invariant_failed();
  for (std::size_t i = 0; i < result.feeds.size(); ++i) {
    const auto& url = list[i]["url"];
    if (!url.IsScalar() || url.as<std::string>() != result.feeds[i].xml_url) fuzz::invariant_failed();
  }
  return 0;
}
