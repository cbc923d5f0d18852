#pragma once
// A watched folder of ready-made record files.
//
// On start the source offers every `*.txt` file already present (in name order),
// then every file that is closed after writing or moved in (inotify). Files are
// left in place. Deciding what is new is not this class's job: each item carries
// a key (file name + SHA-256 of its bytes) that the store remembers once the
// record is committed, so a changed file is offered again and an unchanged one is
// dropped downstream — across restarts too. Hidden files (`.name`) are ignored,
// so writers can write to a dotfile and rename it into place.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stop_token>
#include <string>

namespace wirewatch::connectors {

struct DirectoryItem {
  std::string source_id;
  std::filesystem::path path;
  std::string bytes;
  std::string key;  // "<file name>:<sha256 hex of bytes>"
};

struct DirectorySourceOptions {
  std::string source_id;
  std::filesystem::path path;
  std::uint64_t max_file_bytes = 16 * 1024 * 1024;  // larger files are logged and skipped
  std::chrono::milliseconds retry_interval{2000};   // while the folder is missing
};

class DirectorySource {
 public:
  // emit() is called from run()'s thread; returning false stops the source.
  using Emit = std::function<bool(DirectoryItem)>;

  explicit DirectorySource(DirectorySourceOptions options);

  // Blocks until `stop` is requested (or emit returns false). Creates the folder
  // when it is missing; if it disappears, it is watched again when it returns.
  void run(const Emit& emit, std::stop_token stop);

 private:
  bool offer(const std::filesystem::path& file, const Emit& emit);
  bool scan(const Emit& emit);

  DirectorySourceOptions options_;
};

// True for names the source picks up: `*.txt`, not hidden.
bool is_record_file_name(std::string_view name);

}  // namespace wirewatch::connectors
