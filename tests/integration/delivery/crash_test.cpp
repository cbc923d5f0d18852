// Crash test: records flow in through a directory source and through feeds on
// the loopback fixture server while wirewatchd is killed with SIGKILL at random
// moments, 20 times. A `wirewatch tail --replay` subscriber (heartbeat +
// replay) that runs through it all must end with exactly the (rule, record)
// pairs that an offline `wirewatch match` over the same texts gives: none
// missing, none twice, and no alert_id stored twice.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include "delivery.hpp"
#include "feeds/fixture_server.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/normalizer/url.hpp"

using namespace wirewatch::testing;

namespace {

constexpr int kRecords = 1000;
constexpr int kKills = 20;
constexpr int kFeeds = 4;  // every 5th record and the one after it go to a feed, in turn

int feed_of(int i) { return i % 5 < 2 ? (i / 5) % kFeeds : -1; }
std::string item_link(int i) { return "http://example.org/crash/" + std::to_string(i); }

const char* const kVocabulary[] = {"Belarus",    "Russia",  "Wagner",  "instructors", "training", "Minsk",
                                   "exercise",   "border",  "brigade", "troops",      "ministry", "defence",
                                   "Lukashenko", "drills",  "joint",   "airfield",    "convoy",   "Poland",
                                   "Ukraine",    "forces",  "weather", "market",      "football", "culture",
                                   "harvest",    "railway", "bridge",  "summit"};

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

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out;
}

// An RSS item carrying a record: its title line as the title, its paragraphs
// as the HTML description (the daemon's record is that title and those
// paragraphs).
std::string rss_item(int i, const std::string& record) {
  auto text = std::get<wirewatch::RecordText>(wirewatch::parse_record(record));
  std::string html;
  for (const auto& p : text.paragraphs) html += "<p>" + p + "</p>";
  return "<item><guid>crash-" + std::to_string(i) + "</guid><title>" + xml_escape(text.title) +
         "</title><link>" + item_link(i) + "</link><description>" + xml_escape(html) +
         "</description></item>";
}

std::string rss(const std::vector<std::string>& items) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
      "<title>Crash</title><link>http://example.org/</link>";
  for (const auto& item : items) out += item;
  return out + "</channel></rss>";
}

}  // namespace

TEST(Crash, SigkillTwentyTimesLosesAndDuplicatesNothing) {
  FixtureServer server;
  ASSERT_TRUE(server.up()) << server.err();
  for (int f = 0; f < kFeeds; ++f) server.write("crash" + std::to_string(f) + ".xml", rss({}));

  TempDir tmp;
  std::mt19937 rng(20261122);
  fs::create_directories(tmp.path() / "staging");
  std::vector<std::string> texts;
  for (int i = 0; i < kRecords; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "c%04d.txt", i);
    texts.push_back(make_record(rng, i));
    write_file(tmp.path() / "staging" / name, texts.back());
  }
  write_file(tmp.path() / "rules.yaml", kRules);

  // What an offline match over the same texts says. A feed item's record is
  // identified by its canonical URL, a file's by its text.
  std::vector<std::string> argv = {wirewatch_path(), "match", "--rules",
                                   (tmp.path() / "rules.yaml").string()};
  for (const auto& e : fs::directory_iterator(tmp.path() / "staging")) argv.push_back(e.path());
  auto offline = run(argv, tmp.path());
  ASSERT_EQ(offline.code, 0) << offline.err;
  std::set<Pair> expected;
  std::size_t expected_from_feeds = 0;
  std::istringstream lines(offline.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = json::parse(line);
    auto file = fs::path(j["file"].get<std::string>()).filename().string();
    int i = std::stoi(file.substr(1, 4));
    auto id = j["record_id"].get<std::string>();
    if (feed_of(i) >= 0) {
      auto text = std::get<wirewatch::RecordText>(wirewatch::parse_record(texts[i]));
      id = wirewatch::record_id(wirewatch::canonicalize_url(item_link(i)).value_or(""), text);
      ++expected_from_feeds;
    }
    expected.insert({j["rule"].get<std::string>(), id});
  }
  ASSERT_GT(expected.size(), 100u);
  ASSERT_GT(expected_from_feeds, 30u);

  DaemonSetup setup;
  setup.publish = "tcp://127.0.0.1:" + std::to_string(free_port());
  setup.replay = "tcp://127.0.0.1:" + std::to_string(free_port());
  setup.rules = kRules;
  for (int f = 0; f < kFeeds; ++f) {
    setup.extra_sources += "  - {id: feed" + std::to_string(f) + ", type: feed, url: \"" +
                           server.url("/feeds/crash" + std::to_string(f) + ".xml") + "\", interval: 1s}\n";
  }
  setup.extra_keys = "http: {timeout: 5s, max_backoff: 1s}\n";
  ReplayDaemon d(tmp.path() / "d", setup);
  ASSERT_TRUE(d.start()) << d.log();

  Process tail({wirewatch_path(), "tail", d.publish_endpoint(), "--replay", d.replay_endpoint()},
               tmp.path() / "tail.out", tmp.path() / "tail.err");

  // Records arrive steadily, as files in the inbox and as new items at the top
  // of the feeds, while the daemon is killed and restarted.
  std::vector<std::vector<std::string>> feed_items(kFeeds);
  std::thread producer([&] {
    for (int i = 0; i < kRecords; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "c%04d.txt", i);
      if (int f = feed_of(i); f >= 0) {
        auto& items = feed_items[static_cast<std::size_t>(f)];
        items.insert(items.begin(), rss_item(i, texts[static_cast<std::size_t>(i)]));
        server.write("crash" + std::to_string(f) + ".xml", rss(items));
      } else {
        drop_record(d.inbox(), name, texts[static_cast<std::size_t>(i)]);
      }
      if (i % 4 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(15));
    }
  });
  std::uniform_int_distribution<int> pause(50, 400);
  for (int k = 0; k < kKills; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause(rng)));
    d.kill();
    ASSERT_TRUE(d.start()) << d.log();
  }
  producer.join();

  const auto db = tmp.path() / "d" / "state" / "wirewatch.db";
  ASSERT_TRUE(wait_until([&] { return query_int(db, "SELECT count(*) FROM items_seen") == kRecords; }, 120s))
      << query_int(db, "SELECT count(*) FROM items_seen") << "\n"
      << d.log();
  EXPECT_EQ(query_int(db, "SELECT count(*) FROM items_seen WHERE source LIKE 'feed%'"), 2 * kRecords / 5);
  const auto stored = static_cast<std::size_t>(query_int(db, "SELECT count(*) FROM alerts"));
  EXPECT_EQ(stored, expected.size());
  EXPECT_EQ(query_int(db, "SELECT count(DISTINCT alert_id) FROM alerts"), static_cast<std::int64_t>(stored));
  EXPECT_EQ(query_int(db, "SELECT max(seq) FROM alerts"), static_cast<std::int64_t>(stored));
  ASSERT_TRUE(wait_until(
      [&] { return query_int(db, "SELECT seq FROM publish_progress") == static_cast<std::int64_t>(stored); },
      30s));

  // Every record has its file, also those committed just before a SIGKILL: the
  // files follow the database, and the writer resumes from its watermark.
  const auto records = query_int(db, "SELECT count(*) FROM records");
  const auto last_record = query_int(db, "SELECT max(seq) FROM records");
  auto record_files = [&] {
    std::int64_t n = 0;
    const auto dir = tmp.path() / "d" / "state" / "records";
    if (!fs::exists(dir)) return n;
    for (const auto& e : fs::recursive_directory_iterator(dir))
      n += e.is_regular_file() && e.path().extension() == ".txt";
    return n;
  };
  EXPECT_GT(records, 0);
  ASSERT_TRUE(wait_until(
      [&] {
        return record_files() == records &&
               query_int(db, "SELECT seq FROM record_files_progress") == last_record;
      },
      60s))
      << record_files() << " file(s) for " << records << " record(s); watermark "
      << query_int(db, "SELECT seq FROM record_files_progress") << " of " << last_record;

  // The subscriber ends with exactly the expected pairs, each once after
  // dropping repeats by alert_id (delivery is at least once).
  auto received = [&] {
    std::vector<json> out;
    std::istringstream in(tail.out());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(json::parse(line));
    return out;
  };
  auto distinct = [&] {
    std::set<std::string> ids;
    for (const auto& a : received()) ids.insert(a["alert_id"].get<std::string>());
    return ids.size();
  };
  ASSERT_TRUE(wait_until([&] { return distinct() >= expected.size(); }, 60s))
      << distinct() << " of " << expected.size() << "\n"
      << tail.err();
  std::this_thread::sleep_for(1500ms);
  tail.signal(SIGTERM);
  EXPECT_EQ(tail.wait(), 0);
  std::set<Pair> got;
  std::map<std::string, std::uint64_t> seq_of;
  for (const auto& a : received()) {
    auto id = a["alert_id"].get<std::string>();
    auto seq = a["seq"].get<std::uint64_t>();
    // `tail` drops repeats by alert_id (a restart publishes again what was
    // committed but not marked published): each alert is printed once.
    auto [it, fresh] = seq_of.emplace(id, seq);
    EXPECT_TRUE(fresh) << "printed twice: " << id;
    EXPECT_EQ(it->second, seq) << id;
    got.insert({a["rule"].get<std::string>(), a["record"]["id"].get<std::string>()});
  }
  EXPECT_EQ(seq_of.size(), expected.size());
  EXPECT_EQ(got, expected);
  std::size_t from_feeds = 0;
  for (const auto& a : received())
    if (a["record"].value("source", "").rfind("feed", 0) == 0) ++from_feeds;
  EXPECT_EQ(from_feeds, expected_from_feeds);
  EXPECT_EQ(d.stop(), 0);
}
