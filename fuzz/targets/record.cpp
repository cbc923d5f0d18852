// Record files: parse_record, and the documented round trip through
// write_record; the file-name helpers of the record store.

#include "wirewatch/normalizer/record.hpp"

#include "fuzz_input.hpp"

using namespace wirewatch;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::as_text(data, size);
  auto parsed = parse_record(in);
  if (auto* record = std::get_if<RecordText>(&parsed)) {
    // write_record is idempotent through parse_record (record.hpp).
    auto written = write_record(*record);
    auto again = parse_record(written);
    auto* reparsed = std::get_if<RecordText>(&again);
    if (!reparsed || write_record(*reparsed) != written) fuzz::invariant_failed();
    (void)record_id("", *record);
  }
  if (auto id = id_from_file_name(in)) (void)stored_file_name(size, *id);
  return 0;
}
