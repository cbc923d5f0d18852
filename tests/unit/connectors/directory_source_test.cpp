#include "wirewatch/connectors/directory_source.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

using namespace wirewatch::connectors;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("ww-dirsrc-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    fs::remove_all(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

void write(const fs::path& p, const std::string& content) { std::ofstream(p, std::ios::binary) << content; }

// Runs a DirectorySource on a thread and collects what it emits.
class Collector {
 public:
  explicit Collector(fs::path dir) {
    DirectorySourceOptions opts;
    opts.source_id = "inbox";
    opts.path = std::move(dir);
    opts.retry_interval = 50ms;
    thread_ = std::jthread([this, opts](std::stop_token stop) {
      DirectorySource source(opts);
      source.run(
          [this](DirectoryItem item) {
            std::lock_guard lock(mutex_);
            items_.push_back(std::move(item));
            cv_.notify_all();
            return true;
          },
          stop);
    });
  }

  // Waits (up to a wide deadline) until at least n items arrived.
  std::vector<DirectoryItem> wait_for(std::size_t n) {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, 10s, [&] { return items_.size() >= n; });
    return items_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<DirectoryItem> items_;
  std::jthread thread_;
};

}  // namespace

TEST(DirectorySource, OffersExistingFilesInNameOrderThenNewOnes) {
  TempDir dir;
  fs::create_directories(dir.path());
  write(dir.path() / "b.txt", "B\n\nbody");
  write(dir.path() / "a.txt", "A\n\nbody");
  write(dir.path() / "ignored.md", "not a record");
  write(dir.path() / ".hidden.txt", "partial");
  Collector c(dir.path());
  auto items = c.wait_for(2);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].path.filename(), "a.txt");
  EXPECT_EQ(items[1].path.filename(), "b.txt");
  EXPECT_EQ(items[0].bytes, "A\n\nbody");
  EXPECT_EQ(items[0].source_id, "inbox");
  EXPECT_TRUE(items[0].key.starts_with("a.txt:"));

  // A file written in place and one renamed in from a hidden name.
  write(dir.path() / "c.txt", "C");
  write(dir.path() / ".d.txt", "D");
  fs::rename(dir.path() / ".d.txt", dir.path() / "d.txt");
  items = c.wait_for(4);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[2].path.filename(), "c.txt");
  EXPECT_EQ(items[3].path.filename(), "d.txt");
  EXPECT_EQ(items[3].bytes, "D");
}

TEST(DirectorySource, ChangedFileGetsANewKey) {
  TempDir dir;
  fs::create_directories(dir.path());
  write(dir.path() / "a.txt", "one");
  Collector c(dir.path());
  auto first = c.wait_for(1);
  ASSERT_EQ(first.size(), 1u);
  write(dir.path() / "a.txt", "two");
  auto items = c.wait_for(2);
  ASSERT_GE(items.size(), 2u);
  EXPECT_NE(items[0].key, items.back().key);
  EXPECT_EQ(items.back().bytes, "two");
}

TEST(DirectorySource, CreatesAMissingFolder) {
  TempDir dir;
  Collector c(dir.path());
  for (int i = 0; i < 200 && !fs::exists(dir.path()); ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fs::is_directory(dir.path()));
  std::this_thread::sleep_for(100ms);
  write(dir.path() / "late.txt", "Late");
  auto items = c.wait_for(1);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].bytes, "Late");
}

TEST(DirectorySource, RecordFileNames) {
  EXPECT_TRUE(is_record_file_name("000_abc.txt"));
  EXPECT_FALSE(is_record_file_name(".x.txt"));
  EXPECT_FALSE(is_record_file_name("x.txt.tmp"));
  EXPECT_FALSE(is_record_file_name(".txt"));
}
