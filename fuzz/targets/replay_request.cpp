// The replay socket's request frame (JSON from any client that can connect).

#include "fuzz_input.hpp"
#include "wirewatch/daemon/replay.hpp"

using namespace wirewatch;
using namespace wirewatch::daemon;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto decoded = decode_replay_request(fuzz::as_text(data, size));
  if (auto* request = std::get_if<ReplayRequest>(&decoded)) {
    if (request->limit < 1 || request->limit > kReplayMaxLimit) fuzz::invariant_failed();
    (void)topic_selected("alerts.belarus.wagner", request->topics);
  }
  return 0;
}
