#include "wirewatch/daemon/metrics_server.hpp"

#include <gtest/gtest.h>
#include <httplib.h>

#include "exposition.hpp"

using namespace wirewatch::daemon;

TEST(ListenAddress, ParsesHostPortForms) {
  auto a = parse_listen_address("127.0.0.1:9464");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 9464);
  a = parse_listen_address("[::1]:0");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  a = parse_listen_address("localhost:80");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "localhost");
  a = parse_listen_address(":9464");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "0.0.0.0");
  for (const char* bad : {"", "9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:x",
                          "127.0.0.1:80x", "::1:9464", "[::1]9464", "[]:1", "[::1:1"}) {
    EXPECT_FALSE(parse_listen_address(bad)) << bad;
  }
}

TEST(MetricsServer, ServesMetricsHealthAndReadinessOnAnEphemeralPort) {
  MetricsRegistry registry;
  WirewatchMetrics metrics(registry);
  metrics.records.with({"inbox"}).inc(3);
  MetricsServer server(registry, "127.0.0.1:0");
  ASSERT_NE(server.port(), 0);
  EXPECT_EQ(server.bound_address(), "127.0.0.1:" + std::to_string(server.port()));

  httplib::Client client("127.0.0.1", server.port());
  client.set_connection_timeout(5);
  client.set_read_timeout(5);

  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = exposition::parse(res->body);
  EXPECT_EQ(parsed.error, "");
  EXPECT_EQ(parsed.value("wirewatch_records_total{source=\"inbox\"}"), 3);

  // A later scrape sees later increments.
  metrics.records.with({"inbox"}).inc();
  res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(exposition::parse(res->body).value("wirewatch_records_total{source=\"inbox\"}"), 4);

  res = client.Get("/-/healthy");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);

  res = client.Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);
  server.set_ready(true);
  res = client.Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  server.set_ready(false);
  res = client.Get("/-/ready");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 503);

  res = client.Get("/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST(MetricsServer, RefusesAnAddressInUseAndAMalformedOne) {
  MetricsRegistry registry;
  MetricsServer first(registry, "127.0.0.1:0");
  const std::string taken = "127.0.0.1:" + std::to_string(first.port());
  try {
    MetricsServer second(registry, taken);
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(taken), std::string::npos) << e.what();
  }
  EXPECT_THROW(MetricsServer(registry, "not-an-address"), std::runtime_error);
}

TEST(MetricsServer, StopsPromptlyAndStopsServing) {
  MetricsRegistry registry;
  auto server = std::make_unique<MetricsServer>(registry, "127.0.0.1:0");
  const auto port = server->port();
  httplib::Client idle("127.0.0.1", port);
  idle.set_keep_alive(true);
  ASSERT_TRUE(idle.Get("/-/healthy"));  // its connection stays open, idle
  const auto start = std::chrono::steady_clock::now();
  server->stop();
  server->stop();  // idempotent
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(3));
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  EXPECT_FALSE(client.Get("/-/healthy"));
  server.reset();
}

TEST(MetricsServer, StopRightAfterStartDoesNotHang) {
  MetricsRegistry registry;
  for (int i = 0; i < 20; ++i) {
    MetricsServer server(registry, "127.0.0.1:0");
  }
  SUCCEED();
}
