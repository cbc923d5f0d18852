#include "wirewatch/daemon/journal_sink.hpp"

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace wirewatch::daemon;

namespace {

// A logger whose journal entries land in `entries` instead of the journal.
struct Capture {
  std::vector<std::vector<std::string>> entries;
  int result = 0;
  std::shared_ptr<spdlog::logger> logger;

  Capture() {
    auto sink = std::make_shared<JournalSink>("wirewatchd", [this](std::span<const std::string> f) {
      entries.emplace_back(f.begin(), f.end());
      return result;
    });
    logger = std::make_shared<spdlog::logger>("journal-test", sink);
    logger->set_level(spdlog::level::trace);
  }

  bool has(std::size_t i, const std::string& field) const {
    const auto& e = entries.at(i);
    return std::find(e.begin(), e.end(), field) != e.end();
  }
  std::size_t count_prefix(std::size_t i, const std::string& prefix) const {
    const auto& e = entries.at(i);
    return static_cast<std::size_t>(
        std::count_if(e.begin(), e.end(), [&](const auto& f) { return f.starts_with(prefix); }));
  }
};

}  // namespace

TEST(JournalSink, SendsMessagePriorityAndIdentifier) {
  Capture c;
  c.logger->warn("feed {} failed: {}", "bbc", "timeout");
  ASSERT_EQ(c.entries.size(), 1u);
  const auto& e = c.entries[0];
  ASSERT_GE(e.size(), 3u);
  EXPECT_EQ(e[0], "MESSAGE=feed bbc failed: timeout");
  EXPECT_EQ(e[1], "PRIORITY=4");
  EXPECT_EQ(e[2], "SYSLOG_IDENTIFIER=wirewatchd");
  EXPECT_EQ(c.count_prefix(0, "TID="), 1u);
  EXPECT_EQ(c.count_prefix(0, "CODE_"), 0u);  // logged without a source location
}

TEST(JournalSink, MapsEverySpdlogLevelToASyslogPriority) {
  EXPECT_EQ(journal_priority(spdlog::level::trace), 7);
  EXPECT_EQ(journal_priority(spdlog::level::debug), 7);
  EXPECT_EQ(journal_priority(spdlog::level::info), 6);
  EXPECT_EQ(journal_priority(spdlog::level::warn), 4);
  EXPECT_EQ(journal_priority(spdlog::level::err), 3);
  EXPECT_EQ(journal_priority(spdlog::level::critical), 2);
  Capture c;
  c.logger->error("e");
  c.logger->critical("c");
  EXPECT_TRUE(c.has(0, "PRIORITY=3"));
  EXPECT_TRUE(c.has(1, "PRIORITY=2"));
}

TEST(JournalSink, SendsTheSourceLocationWhenTheMacrosGiveOne) {
  Capture c;
  SPDLOG_LOGGER_INFO(c.logger, "with location");
  const int line = __LINE__ - 1;
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_TRUE(c.has(0, "CODE_LINE=" + std::to_string(line)));
  EXPECT_EQ(c.count_prefix(0, "CODE_FILE="), 1u);
  const auto& e = c.entries[0];
  auto file = std::find_if(e.begin(), e.end(), [](const auto& f) { return f.starts_with("CODE_FILE="); });
  EXPECT_NE(file->find("journal_sink_test.cpp"), std::string::npos) << *file;
}

TEST(JournalSink, CarriesTheThreadsLogFieldsWhileTheGuardLives) {
  Capture c;
  {
    LogFields fields{
        {"SOURCE_ID", "inbox"}, {"RULE_ID", "wagner"}, {"ALERT_ID", "wagner:d6c5"}, {"SEQ", "12"}};
    c.logger->info("alert");
  }
  c.logger->info("after");
  ASSERT_EQ(c.entries.size(), 2u);
  EXPECT_TRUE(c.has(0, "SOURCE_ID=inbox"));
  EXPECT_TRUE(c.has(0, "RULE_ID=wagner"));
  EXPECT_TRUE(c.has(0, "ALERT_ID=wagner:d6c5"));
  EXPECT_TRUE(c.has(0, "SEQ=12"));
  EXPECT_EQ(c.count_prefix(1, "SOURCE_ID="), 0u);
  EXPECT_EQ(c.count_prefix(1, "SEQ="), 0u);
  EXPECT_TRUE(LogFields::current().empty());
}

TEST(JournalSink, InnerFieldsOverrideOuterOnesAndTheOuterComeBack) {
  Capture c;
  LogFields outer{{"SOURCE_ID", "inbox"}, {"SEQ", "1"}};
  {
    LogFields inner{{"SEQ", "2"}};
    c.logger->info("inner");
  }
  c.logger->info("outer");
  EXPECT_TRUE(c.has(0, "SEQ=2"));
  EXPECT_EQ(c.count_prefix(0, "SEQ="), 1u);
  EXPECT_TRUE(c.has(0, "SOURCE_ID=inbox"));
  EXPECT_TRUE(c.has(1, "SEQ=1"));
  EXPECT_EQ(c.count_prefix(1, "SEQ="), 1u);
}

TEST(JournalSink, FieldsAreNotSharedBetweenThreads) {
  Capture c;
  LogFields mine{{"SOURCE_ID", "main"}};
  std::thread([&] { c.logger->info("other thread"); }).join();
  ASSERT_EQ(c.entries.size(), 1u);
  EXPECT_EQ(c.count_prefix(0, "SOURCE_ID="), 0u);
}

TEST(JournalSink, FieldNamesFollowJournalRulesAndReservedOnesAreDropped) {
  EXPECT_EQ(journal_field_name("source_id"), "SOURCE_ID");
  EXPECT_EQ(journal_field_name("rule-id.x"), "RULE_ID_X");
  EXPECT_EQ(journal_field_name("_HIDDEN"), "HIDDEN");
  EXPECT_EQ(journal_field_name("9LIVES"), "LIVES");
  EXPECT_EQ(journal_field_name("__"), "");
  EXPECT_EQ(journal_field_name(std::string(80, 'A')).size(), 64u);

  Capture c;
  LogFields fields{{"MESSAGE", "forged"}, {"PRIORITY", "0"}, {"", "x"}, {"feed", "bbc"}};
  c.logger->info("real");
  EXPECT_EQ(c.count_prefix(0, "MESSAGE="), 1u);
  EXPECT_TRUE(c.has(0, "MESSAGE=real"));
  EXPECT_EQ(c.count_prefix(0, "PRIORITY="), 1u);
  EXPECT_TRUE(c.has(0, "PRIORITY=6"));
  EXPECT_TRUE(c.has(0, "FEED=bbc"));
}

TEST(JournalSink, FallsBackToStderrWhenTheJournalIsUnreachable) {
  Capture c;
  c.result = -2;  // -ENOENT: no journald socket
  testing::internal::CaptureStderr();
  c.logger->error("cannot open state database");
  auto err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("error cannot open state database"), std::string::npos) << err;
}

TEST(JournalSink, JournalStreamMustNameStderr) {
  struct stat st {};
  ASSERT_EQ(fstat(STDERR_FILENO, &st), 0);
  const auto matching = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);

  unsetenv("JOURNAL_STREAM");
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", matching.c_str(), 1);
  EXPECT_TRUE(stderr_is_journal());
  const auto other_inode = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino + 1);
  setenv("JOURNAL_STREAM", other_inode.c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", (matching + "x").c_str(), 1);
  EXPECT_FALSE(stderr_is_journal());
  setenv("JOURNAL_STREAM", "garbage", 1);
  EXPECT_FALSE(stderr_is_journal());

  // setup_logging picks the sink accordingly.
  setenv("JOURNAL_STREAM", matching.c_str(), 1);
  EXPECT_EQ(setup_logging(spdlog::level::debug), LogTarget::journal);
  ASSERT_EQ(spdlog::default_logger()->sinks().size(), 1u);
  EXPECT_NE(dynamic_cast<JournalSink*>(spdlog::default_logger()->sinks()[0].get()), nullptr);
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::debug);
  unsetenv("JOURNAL_STREAM");
  EXPECT_EQ(setup_logging(spdlog::level::warn), LogTarget::console);
  EXPECT_EQ(dynamic_cast<JournalSink*>(spdlog::default_logger()->sinks()[0].get()), nullptr);
  EXPECT_EQ(spdlog::default_logger()->name(), "wirewatchd");
  EXPECT_EQ(spdlog::default_logger()->level(), spdlog::level::warn);
}
