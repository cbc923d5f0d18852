// wirewatchd's configuration from text: YAML with locations, every key and
// value checked. Relative paths resolve against a folder that does not exist,
// so the loader reads no files for them.

#include "wirewatch/daemon/config.hpp"

#include <string>

#include "fuzz_input.hpp"
#include "wirewatch/common/yaml.hpp"

using namespace wirewatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto text = std::string(fuzz::as_text(data, size));
  auto result = daemon::parse_config("/nonexistent/wirewatch-fuzz/wirewatch.yaml", text);
  if (!result.config && result.diagnostics.empty()) fuzz::invariant_failed();
  return 0;
}
