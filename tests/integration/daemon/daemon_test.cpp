// Starts the real wirewatchd on a temporary config with an ephemeral port,
// drops the seed records into its inbox and receives the alerts with cppzmq.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <zmq.hpp>

#include "harness.hpp"
#include "wirewatch/common/text.hpp"

using namespace wirewatch::testing;
using nlohmann::json;

namespace {

constexpr const char* kWagnerRule = R"(rules:
  - id: wagner-instructors
    query: Wagner AND instructors
    topic: alerts.wagner
    severity: high
    description: Wagner personnel acting as instructors
)";

// seeds 000, 003 and 004 mention both Wagner and instructors; 001 and 002 do not.
const std::set<std::string> kWagnerRecords = {"d6c58d34664ebbc0", "f39813c57fc4aa48", "e4a93c823f1ddc83"};

// A wirewatchd on a temporary folder: config, rules, inbox and state.
class Daemon {
 public:
  explicit Daemon(const fs::path& dir, const std::string& rules = kWagnerRule) : daemon_(dir) {
    fs::create_directories(dir / "inbox");
    if (!fs::exists(dir / "rules.yaml")) write_file(dir / "rules.yaml", rules);
    write_file(dir / "wirewatch.yaml", R"(state_dir: state
rules: rules.yaml
publish:
  endpoint: tcp://127.0.0.1:*
sources:
  - id: inbox
    type: directory
    path: inbox
log:
  level: debug
)");
  }

  // Starts the daemon and returns the bound endpoint (empty on failure).
  std::string start() {
    auto endpoints = daemon_.start();
    return endpoints ? (*endpoints)["publish"][0].get<std::string>() : std::string();
  }

  std::optional<int> stop() { return daemon_.stop(); }

  Process& process() { return daemon_.process(); }
  std::string log() const { return daemon_.log(); }
  bool log_contains(const std::string& s) const { return daemon_.log_contains(s); }
  fs::path inbox() const { return dir() / "inbox"; }
  const fs::path& dir() const { return daemon_.dir(); }

  void drop_seeds() const {
    for (const auto& e : fs::directory_iterator(seeds_dir()))
      fs::copy_file(e.path(), inbox() / e.path().filename(), fs::copy_options::overwrite_existing);
  }

 private:
  DaemonProcess daemon_;
};

struct Received {
  std::string topic;
  json alert;
};

// A cppzmq subscriber that has joined before the test publishes anything.
class Subscriber {
 public:
  explicit Subscriber(const std::string& endpoint) : socket_(ctx_, zmq::socket_type::sub) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::subscribe, "alerts.");
    socket_.connect(endpoint);
    // ZeroMQ's slow joiner: give the subscription time to reach the publisher.
    std::this_thread::sleep_for(700ms);
  }

  // Receives until `n` alerts arrived or the deadline passed.
  std::vector<Received> receive(std::size_t n, std::chrono::milliseconds deadline = 30s) {
    std::vector<Received> out;
    auto end = std::chrono::steady_clock::now() + deadline;
    while (out.size() < n && std::chrono::steady_clock::now() < end) {
      zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
      if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
      zmq::message_t topic, payload;
      if (!socket_.recv(topic)) continue;
      EXPECT_TRUE(topic.more()) << "an alert has two frames";
      if (!socket_.recv(payload)) continue;
      EXPECT_FALSE(payload.more()) << "an alert has exactly two frames";
      out.push_back({topic.to_string(), json::parse(payload.to_string_view())});
    }
    return out;
  }

 private:
  zmq::context_t ctx_{1};
  zmq::socket_t socket_;
};

bool has_null(const json& j) {
  if (j.is_null()) return true;
  if (j.is_structured())
    for (const auto& v : j)
      if (has_null(v)) return true;
  return false;
}

std::u32string to_u32(const std::string& s) {
  auto cps = wirewatch::utf8_code_points(s);
  return std::u32string(cps.begin(), cps.end());
}

std::string lower_ascii(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string to_utf8(const std::u32string& s) {
  std::string out;
  for (char32_t cp : s) wirewatch::append_utf8(out, cp);
  return out;
}

// The seed file of a record id, split into title and body as written.
std::pair<std::string, std::string> seed_text(const std::string& id) {
  for (const auto& e : fs::directory_iterator(seeds_dir())) {
    if (e.path().filename().string().find(id) == std::string::npos) continue;
    auto text = read_file(e.path());
    auto nl = text.find("\n\n");
    return {text.substr(0, nl), text.substr(nl + 2)};
  }
  return {};
}

const std::regex kTime(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$)");

}  // namespace

TEST(DaemonIntegration, SeedsProduceExactlyTheWagnerAlertsWithEveryField) {
  TempDir tmp;
  Daemon daemon(tmp.path());
  auto endpoint = daemon.start();
  ASSERT_FALSE(endpoint.empty()) << daemon.log();
  EXPECT_TRUE(endpoint.starts_with("tcp://127.0.0.1:")) << endpoint;
  Subscriber sub(endpoint);
  daemon.drop_seeds();

  auto got = sub.receive(3);
  auto extra = sub.receive(1, 1500ms);  // nothing more may come
  EXPECT_TRUE(extra.empty()) << extra.front().alert.dump();
  ASSERT_EQ(got.size(), 3u) << daemon.log();

  std::set<std::string> records;
  std::uint64_t expected_seq = 1;
  for (const auto& [topic, a] : got) {
    SCOPED_TRACE(a.dump());
    EXPECT_EQ(topic, "alerts.wagner");
    EXPECT_FALSE(has_null(a));
    EXPECT_EQ(a["schema"], 1);
    EXPECT_EQ(a["seq"], expected_seq++);
    const std::string id = a["record"]["id"];
    records.insert(id);
    EXPECT_EQ(a["alert_id"], "wagner-instructors:" + id);
    EXPECT_EQ(a["rule"], "wagner-instructors");
    EXPECT_EQ(a["topic"], "alerts.wagner");
    EXPECT_EQ(a["severity"], "high");
    auto [title, body] = seed_text(id);
    EXPECT_EQ(a["record"]["title"], title);
    EXPECT_EQ(a["record"]["source"], "inbox");
    EXPECT_TRUE(std::regex_match(a["record"]["fetched"].get<std::string>(), kTime));
    EXPECT_FALSE(a["record"].contains("url"));
    EXPECT_FALSE(a["record"].contains("published"));
    EXPECT_EQ(a["matched"], json({"Wagner", "instructors"}));
    ASSERT_FALSE(a["hits"].empty());
    for (const auto& h : a["hits"]) {
      const auto field = h["field"].get<std::string>();
      ASSERT_TRUE(field == "title" || field == "body");
      auto text = to_u32(field == "title" ? title : body);
      std::size_t off = h["offset"], len = h["length"];
      ASSERT_LE(off + len, text.size());
      EXPECT_EQ(lower_ascii(to_utf8(text.substr(off, len))), lower_ascii(h["term"]));
    }
    const std::string snippet = a["snippet"];
    EXPECT_FALSE(snippet.empty());
    EXPECT_LE(to_u32(snippet).size(), 300u);
    EXPECT_NE(lower_ascii(snippet).find(lower_ascii(a["hits"][0]["term"])), std::string::npos);
    EXPECT_TRUE(std::regex_match(a["time"].get<std::string>(), kTime));
  }
  EXPECT_EQ(records, kWagnerRecords);

  // Stored copies of all five records, named <seq>_<id>.txt.
  std::size_t stored = 0;
  // Stored under records/YYYY-MM-DD/; written just after the commit.
  wait_until([&] {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(tmp.path() / "state" / "records"))
      n += e.is_regular_file() && e.path().extension() == ".txt";
    return n == 5;
  });
  for (const auto& e : fs::recursive_directory_iterator(tmp.path() / "state" / "records")) {
    if (!e.is_regular_file()) {
      EXPECT_TRUE(std::regex_match(e.path().filename().string(), std::regex(R"(\d{4}-\d\d-\d\d)")));
      continue;
    }
    EXPECT_TRUE(std::regex_match(e.path().filename().string(), std::regex(R"(\d{3,}_[0-9a-f]{16}\.txt)")));
    ++stored;
  }
  EXPECT_EQ(stored, 5u);
  EXPECT_EQ(daemon.stop(), 0) << daemon.log();
  EXPECT_TRUE(daemon.log_contains("alert seq=1 wagner-instructors:"));
}

TEST(DaemonIntegration, BrokenRulesOnSighupLeaveTheOldRulesFiring) {
  TempDir tmp;
  Daemon daemon(tmp.path());
  auto endpoint = daemon.start();
  ASSERT_FALSE(endpoint.empty()) << daemon.log();
  Subscriber sub(endpoint);

  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: broken\n    query: Wagner AND (\n");
  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return daemon.log_contains("rules reload refused"); })) << daemon.log();
  EXPECT_TRUE(daemon.log_contains("rules.yaml:3:"));  // the error is located

  drop_record(daemon.inbox(), "new.txt", "Wagner seen\n\nWagner group instructors arrived.");
  auto got = sub.receive(1);
  ASSERT_EQ(got.size(), 1u) << daemon.log();
  EXPECT_EQ(got[0].alert["rule"], "wagner-instructors");
  EXPECT_EQ(got[0].alert["seq"], 1);

  // A valid set is taken on the next SIGHUP.
  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: minsk\n    query: Minsk\n    topic: alerts.minsk\n");
  daemon.process().signal(SIGHUP);
  ASSERT_TRUE(wait_until([&] { return daemon.log_contains("rules reloaded: 1 rule(s) active"); }))
      << daemon.log();
  drop_record(daemon.inbox(), "minsk.txt", "News from Minsk\n\nWagner instructors again.");
  got = sub.receive(1);
  ASSERT_EQ(got.size(), 1u) << daemon.log();
  EXPECT_EQ(got[0].alert["rule"], "minsk");
  EXPECT_EQ(got[0].alert["seq"], 2);
  EXPECT_EQ(daemon.stop(), 0);
}

TEST(DaemonIntegration, IngestedRecordsAreRememberedAcrossRestarts) {
  TempDir tmp;
  {
    Daemon daemon(tmp.path());
    ASSERT_FALSE(daemon.start().empty()) << daemon.log();
    daemon.drop_seeds();
    ASSERT_TRUE(wait_until([&] { return daemon.log_contains("alert seq=3 "); })) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0);
  }
  {
    // Same state: the seeds are still in the inbox but make no new alert.
    Daemon daemon(tmp.path());
    auto endpoint = daemon.start();
    ASSERT_FALSE(endpoint.empty());
    Subscriber sub(endpoint);
    drop_record(daemon.inbox(), "fresh.txt", "Wagner\n\nMore instructors from Wagner.");
    auto got = sub.receive(2, 5s);
    ASSERT_EQ(got.size(), 1u) << daemon.log();
    EXPECT_EQ(got[0].alert["seq"], 4);  // dense across restarts
    EXPECT_EQ(daemon.stop(), 0);
  }
  {
    // A fresh state folder shows them again.
    fs::remove_all(tmp.path() / "state");
    Daemon daemon(tmp.path());
    ASSERT_FALSE(daemon.start().empty());
    ASSERT_TRUE(wait_until([&] { return daemon.log_contains("alert seq=4 "); })) << daemon.log();
    EXPECT_EQ(daemon.stop(), 0);
  }
}

TEST(DaemonIntegration, InvalidRecordFilesAreLoggedAndSkipped) {
  TempDir tmp;
  Daemon daemon(tmp.path());
  auto endpoint = daemon.start();
  ASSERT_FALSE(endpoint.empty());
  Subscriber sub(endpoint);
  drop_record(daemon.inbox(), "latin1.txt", "Wagner \xE9t\xE9\n\nWagner instructors");
  drop_record(daemon.inbox(), "untitled.txt", "\n\nWagner instructors without a title");
  drop_record(daemon.inbox(), "good.txt", "Good\n\nWagner instructors");
  auto got = sub.receive(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].alert["record"]["title"], "Good");
  EXPECT_TRUE(daemon.log_contains((daemon.inbox() / "latin1.txt").string() + ": not valid UTF-8"))
      << daemon.log();
  EXPECT_TRUE(daemon.log_contains((daemon.inbox() / "untitled.txt").string() + ": no title"));
  EXPECT_EQ(daemon.stop(), 0);
}

TEST(DaemonIntegration, ExitCodes) {
  TempDir tmp;
  // Usage error.
  EXPECT_EQ(run({wirewatchd_path()}, tmp.path()).code, 64);
  // Invalid config, located.
  write_file(tmp.path() / "bad.yaml", "state_dir: s\nrules: r\npublish: {endpoint: x}\nbogus: 1\n");
  auto r = run({wirewatchd_path(), "--config", (tmp.path() / "bad.yaml").string()}, tmp.path());
  EXPECT_EQ(r.code, 78);
  EXPECT_NE(r.err.find("bad.yaml:4:1: error: unknown key `bogus`"), std::string::npos) << r.err;
  // Invalid rules at start.
  Daemon daemon(tmp.path() / "d", "rules:\n  - id: x\n    query: AND\n");
  auto s = run({wirewatchd_path(), "--config", (tmp.path() / "d" / "wirewatch.yaml").string()}, tmp.path());
  EXPECT_EQ(s.code, 78) << s.err;
  auto c =
      run({wirewatchd_path(), "--check-config", "--config", (tmp.path() / "d" / "wirewatch.yaml").string()},
          tmp.path());
  EXPECT_EQ(c.code, 78) << c.err;
  EXPECT_NE(c.err.find("rules.yaml:3:12: error:"), std::string::npos) << c.err;
}

TEST(DaemonIntegration, EditedRuleFilesAreReloadedWithoutASignal) {
  TempDir tmp;
  Daemon daemon(tmp.path());
  auto endpoint = daemon.start();
  ASSERT_FALSE(endpoint.empty()) << daemon.log();
  Subscriber sub(endpoint);
  // An invalid edit is refused and the old rule keeps firing.
  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: broken\n    query: (\n");
  ASSERT_TRUE(wait_until([&] { return daemon.log_contains("rules reload refused"); }, 20s)) << daemon.log();
  write_file(tmp.path() / "rules.yaml", "rules:\n  - id: minsk\n    query: Minsk\n    topic: alerts.minsk\n");
  ASSERT_TRUE(wait_until([&] { return daemon.log_contains("rules reloaded: 1 rule(s) active"); }, 20s))
      << daemon.log();
  drop_record(daemon.inbox(), "minsk.txt", "News from Minsk\n\nWagner instructors again.");
  auto got = sub.receive(1);
  ASSERT_EQ(got.size(), 1u) << daemon.log();
  EXPECT_EQ(got[0].alert["rule"], "minsk");
  EXPECT_EQ(daemon.stop(), 0);
}
