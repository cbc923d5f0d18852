// Heartbeat, replay, `wirewatch replay`, `wirewatch tail --replay`, records
// topic and CURVE, against the real wirewatchd on loopback.
#include <gtest/gtest.h>

#include <set>

#include "delivery.hpp"
#include "wirewatch/daemon/curve.hpp"

using namespace wirewatch::testing;

namespace {

std::vector<json> lines_as_json(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(json::parse(line));
  return out;
}

// Drops n records; even ones mention Wagner, odd ones Minsk.
void drop_mixed(const fs::path& inbox, int n, int first = 0) {
  for (int i = first; i < first + n; ++i) {
    drop_record(inbox, "r" + std::to_string(i) + ".txt",
                "Record " + std::to_string(i) + "\n\n" + (i % 2 ? "News from Minsk." : "Wagner news."));
  }
}

}  // namespace

TEST(Delivery, HeartbeatCarriesLastSeqAndStableInstance) {
  TempDir tmp;
  ReplayDaemon d(tmp.path());
  ASSERT_TRUE(d.start()) << d.log();
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "wirewatch.heartbeat");
  sub.connect(d.publish_endpoint());
  auto first = receive(sub, 10s);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0], "wirewatch.heartbeat");
  auto hb = json::parse(first[1]);
  EXPECT_EQ(hb["seq"], 0);
  const std::string instance = hb["instance"];
  EXPECT_EQ(instance.size(), 16u);
  EXPECT_TRUE(hb["time"].get<std::string>().ends_with("Z"));

  drop_mixed(d.inbox(), 2);
  ASSERT_TRUE(wait_until([&] {
    auto m = receive(sub, 2s);
    return m.size() == 2 && json::parse(m[1])["seq"] == 2;
  }));
  ASSERT_EQ(d.stop(), 0);
  ASSERT_TRUE(d.start());
  zmq::socket_t sub2(ctx, zmq::socket_type::sub);
  sub2.set(zmq::sockopt::subscribe, "wirewatch.heartbeat");
  sub2.connect(d.publish_endpoint());
  auto again = receive(sub2, 10s);
  ASSERT_EQ(again.size(), 2u);
  EXPECT_EQ(json::parse(again[1])["instance"], instance);
  EXPECT_EQ(json::parse(again[1])["seq"], 2);
  EXPECT_EQ(d.stop(), 0);
}

TEST(Delivery, ReplayAnswersByPrefixLimitAndEndMarker) {
  TempDir tmp;
  ReplayDaemon d(tmp.path());
  ASSERT_TRUE(d.start()) << d.log();
  drop_mixed(d.inbox(), 6);
  ASSERT_TRUE(wait_until([&] { return d.log_contains("alert seq=6 "); })) << d.log();
  zmq::context_t ctx(1);

  auto all = replay_request(ctx, d.replay_endpoint(), R"({"since": 0})");
  ASSERT_EQ(all.size(), 7u);
  for (std::size_t i = 0; i < 6; ++i) {
    ASSERT_EQ(all[i].size(), 2u);
    auto a = json::parse(all[i][1]);
    EXPECT_EQ(a["seq"], i + 1);
    EXPECT_EQ(all[i][0], a["topic"]);
  }
  auto end = json::parse(all[6][0]);
  EXPECT_EQ(end["end"], true);
  EXPECT_EQ(end["seq"], 6);

  auto minsk =
      replay_request(ctx, d.replay_endpoint(), R"({"since": 1, "topics": ["alerts.minsk"], "limit": 2})");
  ASSERT_EQ(minsk.size(), 3u);
  EXPECT_EQ(minsk[0][0], "alerts.minsk");
  EXPECT_EQ(minsk[1][0], "alerts.minsk");
  auto last = json::parse(minsk[1][1])["seq"].get<int>();
  EXPECT_EQ(json::parse(minsk[2][0])["seq"], last);

  auto none = replay_request(ctx, d.replay_endpoint(), R"({"since": 6})");
  ASSERT_EQ(none.size(), 1u);
  EXPECT_EQ(json::parse(none[0][0])["seq"], 6);

  auto bad = replay_request(ctx, d.replay_endpoint(), R"({"since": "yesterday"})");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_TRUE(json::parse(bad[0][0]).contains("error"));

  // Exactly as published: replay frames equal what a subscriber received.
  auto cli = run({wirewatch_path(), "replay", d.replay_endpoint(), "--since", "4"}, tmp.path());
  EXPECT_EQ(cli.code, 0) << cli.err;
  auto printed = lines_as_json(cli.out);
  ASSERT_EQ(printed.size(), 2u);
  EXPECT_EQ(printed[0], json::parse(all[4][1]));
  EXPECT_EQ(printed[1], json::parse(all[5][1]));
  EXPECT_EQ(d.stop(), 0);
}

TEST(Delivery, LateSubscriberCatchesUpWithTailReplay) {
  TempDir tmp;
  ReplayDaemon d(tmp.path());
  ASSERT_TRUE(d.start()) << d.log();
  drop_mixed(d.inbox(), 4);
  ASSERT_TRUE(wait_until([&] { return d.log_contains("alert seq=4 "); }));

  Process tail(
      {wirewatch_path(), "tail", d.publish_endpoint(), "--replay", d.replay_endpoint(), "--since", "1"},
      tmp.path() / "tail.out", tmp.path() / "tail.err");
  ASSERT_TRUE(wait_until([&] { return lines_as_json(tail.out()).size() >= 3; })) << tail.err();
  drop_mixed(d.inbox(), 3, 4);
  ASSERT_TRUE(wait_until([&] { return lines_as_json(tail.out()).size() >= 6; })) << tail.err();
  std::this_thread::sleep_for(1500ms);  // a heartbeat passes: nothing printed twice
  tail.signal(SIGTERM);
  EXPECT_EQ(tail.wait(), 0);
  auto got = lines_as_json(tail.out());
  std::vector<int> seqs;
  for (const auto& a : got) seqs.push_back(a["seq"]);
  EXPECT_EQ(seqs, (std::vector<int>{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(d.stop(), 0);
}

TEST(Delivery, RecordsTopicCarriesEveryStoredRecord) {
  TempDir tmp;
  DaemonSetup setup;
  setup.extra_publish_keys = "  records: true\n";
  ReplayDaemon d(tmp.path(), setup);
  ASSERT_TRUE(d.start()) << d.log();
  zmq::context_t ctx(1);
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::subscribe, "records.");
  sub.connect(d.publish_endpoint());
  std::this_thread::sleep_for(700ms);
  drop_record(d.inbox(), "plain.txt", "Nothing to see\n\nFirst.\n\nSecond.");
  auto m = receive(sub, 20s);
  ASSERT_EQ(m.size(), 2u) << d.log();
  EXPECT_EQ(m[0], "records.inbox");
  auto r = json::parse(m[1]);
  EXPECT_EQ(r["title"], "Nothing to see");
  EXPECT_EQ(r["paragraphs"], json({"First.", "Second."}));
  EXPECT_EQ(r["source"], "inbox");
  EXPECT_EQ(r["id"].get<std::string>().size(), 16u);
  EXPECT_EQ(d.stop(), 0);
}

TEST(Delivery, CurveAdmitsOnlyAllowedClients) {
  TempDir tmp;
  auto run_keygen = [&](const std::string& name) {
    auto r = run({wirewatch_path(), "keygen", (tmp.path() / name).string()}, tmp.path());
    ASSERT_EQ(r.code, 0) << r.err;
  };
  run_keygen("server");
  run_keygen("good");
  run_keygen("bad");
  EXPECT_EQ(fs::status(tmp.path() / "server.key").permissions() & fs::perms::group_read, fs::perms::none);
  std::string error;
  auto good_pub = wirewatch::daemon::read_curve_key(tmp.path() / "good.pub", &error);
  ASSERT_TRUE(good_pub) << error;
  DaemonSetup setup;
  setup.extra_publish_keys = "  curve:\n    secret_key_file: " + (tmp.path() / "server.key").string() +
                             "\n    allow: [\"" + *good_pub + "\"]\n";
  ReplayDaemon d(tmp.path() / "d", setup);
  ASSERT_TRUE(d.start()) << d.log();
  drop_mixed(d.inbox(), 2);
  ASSERT_TRUE(wait_until([&] { return d.log_contains("alert seq=2 "); }));

  auto replay_with = [&](const std::string& who) {
    return run({wirewatch_path(), "replay", d.replay_endpoint(), "--since", "0", "--server-key",
                (tmp.path() / "server.pub").string(), "--key", (tmp.path() / who).string()},
               tmp.path());
  };
  auto ok = replay_with("good");
  EXPECT_EQ(ok.code, 0) << ok.err;
  EXPECT_EQ(lines_as_json(ok.out).size(), 2u);
  auto refused = replay_with("bad");
  EXPECT_NE(refused.code, 0);
  EXPECT_TRUE(refused.out.empty());
  EXPECT_TRUE(d.log_contains("refused a ZeroMQ client")) << d.log();
  EXPECT_EQ(d.stop(), 0);
}

TEST(Delivery, SlowSubscriberDoesNotStallIngestionNorOthers) {
  TempDir tmp;
  DaemonSetup setup;
  setup.extra_publish_keys = "  sndhwm: 100\n";
  ReplayDaemon d(tmp.path(), setup);
  ASSERT_TRUE(d.start()) << d.log();
  zmq::context_t ctx(1);
  zmq::socket_t slow(ctx, zmq::socket_type::sub);
  slow.set(zmq::sockopt::rcvhwm, 10);
  slow.set(zmq::sockopt::rcvbuf, 4096);
  slow.set(zmq::sockopt::subscribe, "alerts.");
  slow.connect(d.publish_endpoint());  // never reads
  // Another subscriber keeps up; whatever the high-water mark costs it, it
  // recovers through heartbeat + replay.
  Process tail({wirewatch_path(), "tail", d.publish_endpoint(), "--replay", d.replay_endpoint()},
               tmp.path() / "tail.out", tmp.path() / "tail.err");
  std::this_thread::sleep_for(700ms);

  constexpr int kCount = 3000;
  const std::string padding(2000, 'x');
  for (int i = 0; i < kCount; ++i) {
    drop_record(d.inbox(), "s" + std::to_string(i) + ".txt",
                "Slow " + std::to_string(i) + "\n\nWagner " + padding);
  }
  ASSERT_TRUE(wait_until([&] { return d.log_contains("alert seq=3000 "); }, 120s)) << d.log().substr(0, 2000);
  auto count_lines = [&] {
    std::set<int> seqs;
    std::istringstream in(tail.out());
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) seqs.insert(json::parse(line)["seq"].get<int>());
    return seqs.size();
  };
  EXPECT_TRUE(wait_until([&] { return count_lines() == kCount; }, 60s)) << count_lines();
  tail.signal(SIGTERM);
  EXPECT_EQ(tail.wait(), 0);
  EXPECT_EQ(d.stop(), 0);
}
