// The `wirewatch` tool run as a process: rules check and match.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "harness.hpp"

using namespace wirewatch::testing;

TEST(Cli, RulesCheckAcceptsTheBundledRules) {
  TempDir tmp;
  auto r = run({wirewatch_path(), "rules", "check", std::string(WIREWATCH_SOURCE_DIR) + "/config/rules.d"},
               tmp.path());
  EXPECT_EQ(r.code, 0) << r.err;
}

TEST(Cli, RulesCheckReportsEveryErrorAndExits78) {
  TempDir tmp;
  write_file(tmp.path() / "a.yaml",
             "rules:\n  - id: one\n    query: Wagner AND\n  - id: two\n    query: x\n    colour: red\n");
  auto r = run({wirewatch_path(), "rules", "check", (tmp.path() / "a.yaml").string()}, tmp.path());
  EXPECT_EQ(r.code, 78);
  const auto file = (tmp.path() / "a.yaml").string();
  EXPECT_NE(r.err.find(file + ":3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(file + ":6:5: error: unknown key `colour`"), std::string::npos) << r.err;

  auto j = run({wirewatch_path(), "rules", "check", "--format", "json", file}, tmp.path());
  EXPECT_EQ(j.code, 78);
  auto diags = nlohmann::json::parse(j.err);
  ASSERT_EQ(diags.size(), 2u);
  EXPECT_EQ(diags[1]["line"], 6);
  EXPECT_EQ(diags[1]["column"], 5);
}

TEST(Cli, UsageErrorsExit64) {
  TempDir tmp;
  EXPECT_EQ(run({wirewatch_path()}, tmp.path()).code, 64);
  EXPECT_EQ(run({wirewatch_path(), "match", "x.txt"}, tmp.path()).code, 64);
  EXPECT_EQ(run({wirewatch_path(), "frobnicate"}, tmp.path()).code, 64);
}

TEST(Cli, MatchPrintsOneJsonLinePerMatch) {
  TempDir tmp;
  write_file(tmp.path() / "rules.yaml",
             "rules:\n  - id: wagner-instructors\n    query: Wagner AND instructors\n");
  std::vector<std::string> argv = {wirewatch_path(), "match", "--rules",
                                   (tmp.path() / "rules.yaml").string()};
  for (const auto& e : fs::directory_iterator(seeds_dir())) argv.push_back(e.path().string());
  auto r = run(argv, tmp.path());
  EXPECT_EQ(r.code, 0) << r.err;
  std::set<std::string> ids;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    EXPECT_EQ(j["rule"], "wagner-instructors");
    EXPECT_EQ(j["topic"], "alerts.wagner-instructors");
    EXPECT_EQ(j["alert_id"], "wagner-instructors:" + j["record_id"].get<std::string>());
    EXPECT_NE(j["file"].get<std::string>().find(j["record_id"].get<std::string>()), std::string::npos);
    EXPECT_EQ(j["matched"], nlohmann::json({"Wagner", "instructors"}));
    EXPECT_FALSE(j["hits"].empty());
    ids.insert(j["record_id"]);
  }
  EXPECT_EQ(ids, (std::set<std::string>{"d6c58d34664ebbc0", "f39813c57fc4aa48", "e4a93c823f1ddc83"}));
}

TEST(Cli, MatchReportsUnreadableRecords) {
  TempDir tmp;
  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: w\n    query: Wagner\n");
  write_file(tmp.path() / "bad.txt", "\xFF\xFE");
  auto r = run({wirewatch_path(), "match", "--rules", (tmp.path() / "rules.yaml").string(),
                (tmp.path() / "bad.txt").string(), (tmp.path() / "missing.txt").string()},
               tmp.path());
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad.txt: error: not valid UTF-8"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("missing.txt: error: cannot open file"), std::string::npos) << r.err;
}

TEST(Cli, CheckValidatesConfigAndRulesTogether) {
  TempDir tmp;
  auto ok = run({wirewatch_path(), "check", std::string(WIREWATCH_SOURCE_DIR) + "/config/wirewatch.yaml"},
                tmp.path());
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_NE(ok.err.find("OK (1 source(s), 4 rule(s))"), std::string::npos) << ok.err;
  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: x\n    query: (\n");
  write_file(tmp.path() / "c.yaml",
             "state_dir: s\nrules: rules.yaml\npublish: {endpoint: \"tcp://127.0.0.1:*\"}\n");
  auto bad = run({wirewatch_path(), "check", (tmp.path() / "c.yaml").string()}, tmp.path());
  EXPECT_EQ(bad.code, 78);
  EXPECT_NE(bad.err.find("rules.yaml:3:"), std::string::npos) << bad.err;
}
