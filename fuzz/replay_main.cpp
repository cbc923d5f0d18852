// Runs a fuzz target without libFuzzer: every file named on the command line,
// and every file of every folder named (in name order), is passed once to
// LLVMFuzzerTestOneInput. A missing folder is skipped (an empty regressions/
// folder is not kept by git); running no input at all is a failure.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", file.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A copy in its own allocation, so ASan sees reads past the end as libFuzzer
  // would.
  std::vector<std::uint8_t> data(bytes.begin(), bytes.end());
  LLVMFuzzerTestOneInput(data.data(), data.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t runs = 0;
  bool failed = false;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        failed |= !run_file(f);
        ++runs;
      }
    } else if (std::filesystem::exists(arg, ec)) {
      failed |= !run_file(arg);
      ++runs;
    } else {
      std::fprintf(stderr, "skipping %s: not found\n", argv[i]);
    }
  }
  std::printf("%zu inputs run\n", runs);
  if (runs == 0) {
    std::fprintf(stderr, "no inputs\n");
    return 1;
  }
  return failed ? 1 : 0;
}
