// `wirewatch match --since DURATION --config FILE`: back-testing rules over the
// records a real wirewatchd stored, read from its state database while the
// daemon runs and after it stopped, newest first.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <utility>
#include <vector>

#include "harness.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

constexpr const char* kRules = R"(rules:
  - id: wagner-instructors
    query: Wagner AND instructors
    topic: alerts.wagner
    severity: high
  - id: lukashenko
    query: lukashenk* OR Лукашенко
    topic: alerts.lukashenko
)";

constexpr const char* kConfig = R"(state_dir: state
rules: rules.yaml
publish:
  endpoint: tcp://127.0.0.1:*
sources:
  - id: inbox
    type: directory
    path: inbox
)";

// The seeds in the order they are dropped, one at a time: seq 1 to 5.
const std::vector<std::string> kDropOrder = {"002_47a499777ecac418.txt", "000_d6c58d34664ebbc0.txt",
                                             "004_e4a93c823f1ddc83.txt", "001_fdf4546c0a4d08bc.txt",
                                             "003_f39813c57fc4aa48.txt"};

// (rule, record): the newest record first, a record's rules in file order.
using Lines = std::vector<std::pair<std::string, std::string>>;
const Lines kExpected = {
    {"wagner-instructors", "f39813c57fc4aa48"}, {"lukashenko", "f39813c57fc4aa48"},
    {"lukashenko", "fdf4546c0a4d08bc"},         {"wagner-instructors", "e4a93c823f1ddc83"},
    {"wagner-instructors", "d6c58d34664ebbc0"}, {"lukashenko", "47a499777ecac418"},
};

std::size_t stored_files(const fs::path& state) {
  std::size_t n = 0;
  if (!fs::exists(state / "records")) return 0;
  for (const auto& e : fs::recursive_directory_iterator(state / "records"))
    n += e.is_regular_file() && e.path().extension() == ".txt";
  return n;
}

// An install: config, rules, inbox; the daemon started on it.
class Install {
 public:
  Install() {
    fs::create_directories(dir() / "inbox");
    write_file(dir() / "rules.yaml", kRules);
    write_file(dir() / "wirewatch.yaml", kConfig);
  }
  const fs::path& dir() const { return tmp_.path(); }
  fs::path config() const { return dir() / "wirewatch.yaml"; }
  fs::path state() const { return dir() / "state"; }

  bool start() { return daemon_.start().has_value(); }
  std::optional<int> stop() { return daemon_.stop(); }
  std::string log() const { return daemon_.log(); }

  // Drops the seeds one by one, each stored before the next, so that they are
  // stored in this order.
  bool store_seeds() {
    for (std::size_t i = 0; i < kDropOrder.size(); ++i) {
      fs::copy_file(seeds_dir() / kDropOrder[i], dir() / "inbox" / kDropOrder[i]);
      if (!wait_until([&] { return stored_files(state()) == i + 1; })) return false;
    }
    return true;
  }

  RunResult match(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {wirewatch_path(), "match",          "--since", "7d",
                                     "--config",       config().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run(argv, dir());
  }

 private:
  TempDir tmp_;
  DaemonProcess daemon_{tmp_.path()};
};

Lines rule_record_lines(const std::string& out) {
  Lines lines;
  std::istringstream in(out);
  for (std::string l; std::getline(in, l);) {
    auto j = json::parse(l);
    lines.emplace_back(j["rule"], j["record_id"]);
  }
  return lines;
}

std::string read_bytes(const fs::path& p) { return read_file(p); }

}  // namespace

TEST(Backtest, MatchesStoredRecordsNewestFirstWhileTheDaemonRunsAndAfter) {
  Install install;
  ASSERT_TRUE(install.start()) << install.log();
  ASSERT_TRUE(install.store_seeds()) << install.log();

  // The daemon is running: its database is read beside it.
  auto live = install.match();
  EXPECT_EQ(live.code, 0) << live.err;
  EXPECT_EQ(rule_record_lines(live.out), kExpected) << live.out;

  // Every line carries the matched terms and their positions, like `match` on
  // files.
  std::istringstream in(live.out);
  for (std::string l; std::getline(in, l);) {
    SCOPED_TRACE(l);
    auto j = json::parse(l);
    EXPECT_EQ(j["source"], "inbox");
    EXPECT_EQ(j["alert_id"], j["rule"].get<std::string>() + ":" + j["record_id"].get<std::string>());
    EXPECT_TRUE(fs::exists(j["file"].get<std::string>()));
    EXPECT_EQ(j["stored"].get<std::string>().size(),
              20u);  // YYYY-MM-DDTHH:MM:SSZ
    ASSERT_FALSE(j["matched"].empty());
    ASSERT_FALSE(j["hits"].empty());
    for (const auto& h : j["hits"]) {
      EXPECT_TRUE(h["field"] == "title" || h["field"] == "body");
      EXPECT_GT(h["length"].get<int>(), 0);
    }
    EXPECT_FALSE(j["snippet"].get<std::string>().empty());
  }
  if (rule_record_lines(live.out).size() > 0) {
    auto first = json::parse(live.out.substr(0, live.out.find('\n')));
    EXPECT_EQ(first["matched"], json({"Wagner", "instructors"}));
    EXPECT_EQ(first["topic"], "alerts.wagner");
    EXPECT_EQ(first["severity"], "high");
  }

  EXPECT_EQ(install.stop(), 0) << install.log();

  // Stopped: the same lines, and the database is left as it was.
  const auto db = install.state() / "wirewatch.db";
  const auto before = read_bytes(db);
  auto after = install.match();
  EXPECT_EQ(after.code, 0) << after.err;
  EXPECT_EQ(rule_record_lines(after.out), kExpected) << after.out;
  EXPECT_EQ(read_bytes(db), before);

  // --rules replaces the config's rules.
  write_file(install.dir() / "other.yaml",
             "rules:\n  - id: belarusian-trainers\n    query: Belarusian "
             "NEAR/1 trainers\n");
  auto other = install.match({"--rules", (install.dir() / "other.yaml").string()});
  EXPECT_EQ(other.code, 0) << other.err;
  EXPECT_EQ(rule_record_lines(other.out), (Lines{{"belarusian-trainers", "fdf4546c0a4d08bc"}})) << other.out;

  // --explain: every record, newest first, with why each rule matched or not.
  auto explain = install.match({"--explain", "--rule", "lukashenko"});
  EXPECT_EQ(explain.code, 0) << explain.err;
  std::vector<std::string> records;
  std::istringstream lines(explain.out);
  for (std::string l; std::getline(lines, l);)
    if (l.starts_with("record ")) records.push_back(l.substr(7, 16));
  EXPECT_EQ(records, (std::vector<std::string>{"f39813c57fc4aa48", "fdf4546c0a4d08bc", "e4a93c823f1ddc83",
                                               "d6c58d34664ebbc0", "47a499777ecac418"}))
      << explain.out;
  EXPECT_NE(explain.out.find("  lukashenko: MATCH"), std::string::npos) << explain.out;
  EXPECT_NE(explain.out.find("  lukashenko: no match"), std::string::npos) << explain.out;
}

TEST(Backtest, ClearErrors) {
  TempDir tmp;
  write_file(tmp.path() / "rules.yaml", kRules);
  write_file(tmp.path() / "wirewatch.yaml", kConfig);
  const auto config = (tmp.path() / "wirewatch.yaml").string();

  // Never started: no database (and none is created).
  auto none = run({wirewatch_path(), "match", "--since", "7d", "--config", config}, tmp.path());
  EXPECT_EQ(none.code, 78);
  EXPECT_NE(none.err.find("no state database at"), std::string::npos) << none.err;
  EXPECT_FALSE(fs::exists(tmp.path() / "state" / "wirewatch.db"));

  // A config that cannot be read.
  auto missing =
      run({wirewatch_path(), "match", "--since", "7d", "--config", (tmp.path() / "nope.yaml").string()},
          tmp.path());
  EXPECT_EQ(missing.code, 78);
  EXPECT_NE(missing.err.find("nope.yaml"), std::string::npos) << missing.err;

  // Not a wirewatch database.
  fs::create_directories(tmp.path() / "state");
  write_file(tmp.path() / "state" / "wirewatch.db", "not a database, just text\n");
  auto junk = run({wirewatch_path(), "match", "--since", "7d", "--config", config}, tmp.path());
  EXPECT_EQ(junk.code, 78);
  EXPECT_NE(junk.err.find("wirewatch.db"), std::string::npos) << junk.err;

  // Usage: a bad duration, --since without --config, record files with --since.
  EXPECT_EQ(run({wirewatch_path(), "match", "--since", "7 weeks", "--config", config}, tmp.path()).code, 64);
  EXPECT_EQ(run({wirewatch_path(), "match", "--since", "7d"}, tmp.path()).code, 64);
  EXPECT_EQ(run({wirewatch_path(), "match", "--since", "7d", "--config", config, "x.txt"}, tmp.path()).code,
            64);
}
