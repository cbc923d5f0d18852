// Crash test: records flow in while wirewatchd is killed with SIGKILL at random
// moments, 20 times. A `wirewatch tail --replay` subscriber that runs through it
// all must end with exactly the (rule, record) pairs that an offline
// `wirewatch match` over the same records gives: none missing, none twice.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <random>
#include <set>

#include "delivery.hpp"

using namespace wirewatch::testing;

namespace {

constexpr int kRecords = 1000;
constexpr int kKills = 20;

const char* const kVocabulary[] = {
    "Belarus", "Russia",   "Wagner",  "instructors", "training", "Minsk",   "exercise",
    "border",  "brigade",  "troops",  "ministry",    "defence",  "Lukashenko", "drills",
    "joint",   "airfield", "convoy",  "Poland",      "Ukraine",  "forces",  "weather",
    "market",  "football", "culture", "harvest",     "railway",  "bridge",  "summit"};

constexpr const char* kRules = R"(rules:
  - id: wagner-instructors
    query: Wagner AND instructors
    topic: alerts.wagner
  - id: joint-drills
    query: joint AND (drills OR exercise)
    topic: alerts.drills
  - id: border
    query: border AND NOT weather
    topic: alerts.border
  - id: minsk-summit
    query: '"Minsk summit" OR (Minsk AND Lukashenko)'
    topic: alerts.minsk
)";

std::string make_record(std::mt19937& rng, int i) {
  std::uniform_int_distribution<std::size_t> word(0, std::size(kVocabulary) - 1);
  std::uniform_int_distribution<int> len(4, 14);
  std::string text = "Report " + std::to_string(i) + "\n\n";
  for (int p = 0; p < 2; ++p) {
    if (p) text += "\n\n";
    int n = len(rng);
    for (int w = 0; w < n; ++w) text += std::string(w ? " " : "") + kVocabulary[word(rng)];
    text += ".";
  }
  return text;
}

std::int64_t query_int(const fs::path& db, const char* sql) {
  sqlite3* h = nullptr;
  std::int64_t v = -1;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(h, 2000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
      v = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(h);
  return v;
}

using Pair = std::pair<std::string, std::string>;  // rule, record id

}  // namespace

TEST(Crash, SigkillTwentyTimesLosesAndDuplicatesNothing) {
  TempDir tmp;
  std::mt19937 rng(20261122);
  fs::create_directories(tmp.path() / "staging");
  for (int i = 0; i < kRecords; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "c%04d.txt", i);
    write_file(tmp.path() / "staging" / name, make_record(rng, i));
  }
  write_file(tmp.path() / "rules.yaml", kRules);

  // What an offline match over the same records says.
  std::vector<std::string> argv = {wirewatch_path(), "match", "--rules",
                                   (tmp.path() / "rules.yaml").string()};
  for (const auto& e : fs::directory_iterator(tmp.path() / "staging")) argv.push_back(e.path());
  auto offline = run(argv, tmp.path());
  ASSERT_EQ(offline.code, 0) << offline.err;
  std::set<Pair> expected;
  std::istringstream lines(offline.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    expected.insert({j["rule"].get<std::string>(), j["record_id"].get<std::string>()});
  }
  ASSERT_GT(expected.size(), 100u);

  DaemonSetup setup;
  setup.publish = "tcp://127.0.0.1:" + std::to_string(free_port());
  setup.replay = "tcp://127.0.0.1:" + std::to_string(free_port());
  setup.rules = kRules;
  ReplayDaemon d(tmp.path() / "d", setup);
  ASSERT_TRUE(d.start()) << d.log();

  Process tail({wirewatch_path(), "tail", d.publish_endpoint(), "--replay", d.replay_endpoint()},
               tmp.path() / "tail.out", tmp.path() / "tail.err");

  // Records arrive steadily while the daemon is killed and restarted.
  std::atomic<bool> dropping{true};
  std::thread dropper([&] {
    for (int i = 0; i < kRecords; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "c%04d.txt", i);
      drop_record(d.inbox(), name, read_file(tmp.path() / "staging" / name));
      if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
    dropping = false;
  });
  std::uniform_int_distribution<int> pause(50, 400);
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
    d.kill();
    ASSERT_TRUE(d.start()) << d.log();
  }
  dropper.join();

  const auto db = tmp.path() / "d" / "state" / "wirewatch.db";
  ASSERT_TRUE(wait_until([&] { return query_int(db, "SELECT count(*) FROM items_seen") == kRecords; },
                         120s))
      << query_int(db, "SELECT count(*) FROM items_seen") << "\n" << d.log();
  const auto stored = static_cast<std::size_t>(query_int(db, "SELECT count(*) FROM alerts"));
  EXPECT_EQ(stored, expected.size());
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT alert_id) FROM alerts"),
            static_cast<std::int64_t>(stored));
  EXPECT_EQ(query_int(db, "SELECT max(seq) FROM alerts"), static_cast<std::int64_t>(stored));
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM alerts WHERE published = 0"), 0);

  // The subscriber ends with exactly the expected pairs, each once.
  auto received = [&] {
    std::vector<json> out;
    std::istringstream in(tail.out());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  };
  ASSERT_TRUE(wait_until([&] { return received().size() >= expected.size(); }, 60s))
      << received().size() << " of " << expected.size() << "\n" << tail.err();
  std::this_thread::sleep_for(1500ms);
  tail.signal(SIGTERM);
  EXPECT_EQ(tail.wait(), 0);
  std::set<Pair> got;
  std::set<std::string> ids;
  for (const auto& a : received()) {
    EXPECT_TRUE(ids.insert(a["alert_id"]).second) << "printed twice: " << a["alert_id"];
    got.insert({a["rule"].get<std::string>(), a["record"]["id"].get<std::string>()});
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(d.stop(), 0);
}
