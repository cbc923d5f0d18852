// `wirewatch parse-feed` and `wirewatch feeds import`, run as a user would.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace {

struct Run {
  int status = -1;
  std::string out;
};

// Runs the wirewatch CLI with `args` (a shell fragment); stdout captured, stderr
// appended to stdout after a marker when `with_stderr`.
Run wirewatch(const std::string& args, bool with_stderr = false) {
  const std::string cmd = std::string("cd '") + WIREWATCH_FIXTURES + "/feeds' && '" + WIREWATCH_CLI + "' " +
                          args + (with_stderr ? " 2>&1" : " 2>/dev/null");
  Run r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf{};
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

}  // namespace

TEST(ParseFeedCli, PrintsOneJsonObject) {
  const auto r = wirewatch("parse-feed --url https://news.example.by/rss.xml rss20.xml");
  ASSERT_EQ(r.status, 0);
  ASSERT_EQ(r.out.find('\n'), r.out.size() - 1);  // one line
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["format"], "rss20");
  EXPECT_EQ(j["bozo"], false);
  EXPECT_FALSE(j.contains("error"));
  EXPECT_EQ(j["feed"]["title"], "Новости обороны & безопасности");
  EXPECT_EQ(j["feed"]["updated"], "2024-03-05T07:00:00Z");
  ASSERT_EQ(j["entries"].size(), 4u);
  const auto& e = j["entries"][0];
  EXPECT_EQ(e["id"], "news-1001");
  EXPECT_EQ(e["published"], "2024-03-05T06:15:00Z");
  EXPECT_EQ(e["author"], "Иван Петров");
  EXPECT_EQ(e["categories"], (nlohmann::json{"Армия", "Беларусь"}));
  EXPECT_TRUE(e.contains("summary"));
  EXPECT_TRUE(e.contains("content"));
  EXPECT_FALSE(e.contains("updated"));  // absent fields are omitted
  // the key order of the issue
  std::vector<std::string> keys;
  for (auto it = j.begin(); it != j.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"bozo", "entries", "feed", "format"}));  // nlohmann sorts
  EXPECT_EQ(r.out.rfind("{\"format\":", 0), 0u);  // but the output starts with format
}

TEST(ParseFeedCli, BozoFeedsCarryTheirError) {
  const auto r = wirewatch("parse-feed entities.xml");
  ASSERT_EQ(r.status, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["bozo"], true);
  EXPECT_EQ(j["error"], "undefined entity &nbsp; at line 4, column 20");
}

TEST(ParseFeedCli, StandardInputAndCharsetOption) {
  const auto r = wirewatch("parse-feed --charset windows-1251 - < cp1251-undeclared.xml");
  ASSERT_EQ(r.status, 0);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["entries"][0]["title"], "Вагнер и инструкторы на полигоне");
}

TEST(ParseFeedCli, NothingRecoverableIsExit1WithOneLineOnStderr) {
  const auto r = wirewatch("parse-feed html-page.html", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "wirewatch parse-feed: html-page.html: not a feed: the document element is <html>\n");
  const auto missing = wirewatch("parse-feed no-such-file.xml", true);
  EXPECT_EQ(missing.status, 1);
  EXPECT_EQ(missing.out, "wirewatch parse-feed: cannot open no-such-file.xml\n");
  const auto quiet = wirewatch("parse-feed garbage.bin");
  EXPECT_EQ(quiet.status, 1);
  EXPECT_EQ(quiet.out, "");  // nothing on stdout
}

TEST(ParseFeedCli, UsageErrorIs64) {
  EXPECT_EQ(wirewatch("parse-feed").status, 64);
  EXPECT_EQ(wirewatch("parse-feed --no-such-option x.xml").status, 64);
}

TEST(FeedsImportCli, PrintsSourcesYaml) {
  const auto r = wirewatch("feeds import subscriptions.opml --id-prefix opml-");
  ASSERT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("sources:\n  # BelTA — News (Belarus)\n  - id: opml-belta-news\n    type: feed\n"
                       "    url: \"https://www.belta.example/rss\"\n    interval: 5m\n    articles: false\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  - id: opml-nashaniva-example-rss\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ftp://"), std::string::npos);
}

TEST(FeedsImportCli, Errors) {
  EXPECT_EQ(wirewatch("feeds import subscriptions.opml --id-prefix 'Bad Prefix'").status, 64);
  EXPECT_EQ(wirewatch("feeds import no-such.opml").status, 1);
  const auto r = wirewatch("feeds import rss20.xml", true);
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.out, "wirewatch feeds import: rss20.xml: not OPML: the document element is <rss>\n");
}
