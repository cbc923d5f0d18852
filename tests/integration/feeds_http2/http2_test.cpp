// HttpFetcher over HTTP/2 with TLS verification, against Debian's nginx on
// 127.0.0.1
// (`listen ... ssl http2`) and a self-signed certificate made with openssl for
// each test. Skipped only when this nginx has no HTTP/2 module.

#include <arpa/inet.h>
#include <curl/curl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>

#include "harness.hpp"
#include "wirewatch/connectors/feed_parser.hpp"
#include "wirewatch/connectors/http_fetcher.hpp"

namespace wirewatch::connectors {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using testing::Process;
using testing::read_file;
using testing::TempDir;
using testing::wait_until;

constexpr const char *kNginx = "/usr/sbin/nginx";
constexpr const char *kOpenssl = "/usr/bin/openssl";

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

bool accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

FetchResult fetch_sync(HttpFetcher &f, FetchRequest r) {
  auto p = std::make_shared<std::promise<FetchResult>>();
  auto fut = p->get_future();
  f.fetch(std::move(r), [p](FetchResult res) { p->set_value(std::move(res)); });
  if (fut.wait_for(30s) != std::future_status::ready) {
    ADD_FAILURE() << "no result within 30 s";
    return {};
  }
  return fut.get();
}

// A request for a configured feed URL, as the poller sends it: the SSRF guard
// lets the operator's own host through (loopback here).
FetchRequest feed_request(std::string url, std::string etag = "", std::string last_modified = "") {
  FetchRequest r;
  r.url = std::move(url);
  r.etag = std::move(etag);
  r.last_modified = std::move(last_modified);
  r.trusted_host = "127.0.0.1";
  return r;
}

HttpOptions test_options() {
  HttpOptions o;
  o.connect_timeout = 5s;
  o.timeout = 20s;
  return o;
}

class Http2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    // Requests go straight to 127.0.0.1 whatever proxy the machine's
    // environment names.
    for (const char *v : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
      ::unsetenv(v);
    ASSERT_TRUE(fs::exists(kNginx)) << kNginx << " is missing (scripts/packages/test.txt)";
    ASSERT_TRUE(fs::exists(kOpenssl)) << kOpenssl << " is missing (scripts/packages/test.txt)";
    const auto &d = dir_.path();
    auto version = testing::run({kNginx, "-V"},
                                d);  // nginx prints its build options on stderr
    ASSERT_EQ(version.code, 0) << version.err;
    if (version.err.find("--with-http_v2_module") == std::string::npos)
      GTEST_SKIP() << "this nginx was built without the HTTP/2 module "
                      "(--with-http_v2_module)";

    // A certificate for the address itself, so hostname verification passes
    // too.
    auto cert = testing::run(
        {kOpenssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
         (d / "key.pem").string(), "-out", cert_.string()},
        d);
    ASSERT_EQ(cert.code, 0) << cert.err;

    // nginx's workers may run as another user (nobody, when the tests run as
    // root).
    fs::permissions(d, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                           fs::perms::others_read | fs::perms::others_exec);
    fs::create_directories(d / "www/feeds");
    fs::create_directories(d / "tmp");
    fs::copy_file(fs::path(WIREWATCH_FIXTURES) / "http/feeds/a.xml", d / "www/feeds/a.xml");
    port_ = free_port();
    ASSERT_NE(port_, 0);
    const std::string p = d.string();
    testing::write_file(d / "nginx.conf", R"(
worker_processes 1;
pid )" + p + R"(/nginx.pid;
error_log )" + p + R"(/error.log warn;
events { worker_connections 64; }
http {
  log_format proto '$server_protocol $status $request_uri';
  access_log )" + p + R"(/access.log proto;
  client_body_temp_path )" + p + R"(/tmp;
  proxy_temp_path )" + p + R"(/tmp;
  fastcgi_temp_path )" + p + R"(/tmp;
  uwsgi_temp_path )" + p + R"(/tmp;
  scgi_temp_path )" + p + R"(/tmp;
  types { application/rss+xml xml; }
  server {
    listen 127.0.0.1:)" + std::to_string(port_) +
                                              R"( ssl http2;
    ssl_certificate )" + cert_.string() + R"(;
    ssl_certificate_key )" + p + R"(/key.pem;
    root )" + p + R"(/www;
  }
}
)");
    nginx_ = std::make_unique<Process>(std::vector<std::string>{kNginx, "-p", p, "-e", p + "/error.log", "-c",
                                                                p + "/nginx.conf", "-g", "daemon off;"},
                                       d / "nginx.out", d / "nginx.err");
    ASSERT_TRUE(nginx_->started());
    ASSERT_TRUE(wait_until(
        [&] { return accepts(port_) || !nginx_->running() || nginx_->wait(0ms).has_value(); }, 20s));
    ASSERT_TRUE(accepts(port_)) << "nginx did not start: " << read_file(d / "error.log") << nginx_->err();
  }

  void TearDown() override {
    if (nginx_ && nginx_->running()) {
      nginx_->signal(SIGQUIT);  // graceful: it flushes the access log
      nginx_->wait(20s);
    }
  }

  std::string url(const std::string &path) const {
    return "https://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string access_log() const { return read_file(dir_.path() / "access.log"); }

  TempDir dir_;
  fs::path cert_ = dir_.path() / "cert.pem";
  int port_ = 0;
  std::unique_ptr<Process> nginx_;
};

TEST_F(Http2Test, FetchesOverHttp2AndTheItemsParse) {
  {
    auto o = test_options();
    o.ca_file = cert_.string();
    HttpFetcher f(o);
    auto r = fetch_sync(f, feed_request(url("/feeds/a.xml")));
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.http_version, long{CURL_HTTP_VERSION_2_0});
    EXPECT_EQ(r.body, read_file(dir_.path() / "www/feeds/a.xml"));
    EXPECT_FALSE(r.etag.empty());

    FeedParseOptions po;
    po.base_url = r.final_url;
    po.content_type = r.content_type;
    auto parsed = parse_feed(r.body, po);
    EXPECT_FALSE(parsed.bozo) << parsed.error;
    ASSERT_EQ(parsed.entries.size(), 3u);
    EXPECT_EQ(parsed.entries[0].title, "Wagner instructors arrive");
    EXPECT_EQ(parsed.entries[0].link, "http://example.org/a/1");
    EXPECT_EQ(parsed.entries[2].title, "Third item");

    // A conditional GET on the same HTTP/2 connection: 304, nothing to parse.
    auto again = fetch_sync(f, feed_request(url("/feeds/a.xml"), r.etag, r.last_modified));
    EXPECT_TRUE(again.not_modified()) << again.status << " " << again.error;
    EXPECT_EQ(again.http_version, long{CURL_HTTP_VERSION_2_0});
    EXPECT_TRUE(again.body.empty());
  }  // the fetcher closes its connection, so nginx can stop at once

  // nginx's own view of the protocol.
  nginx_->signal(SIGQUIT);
  ASSERT_TRUE(nginx_->wait(20s).has_value());
  auto log = access_log();
  EXPECT_NE(log.find("HTTP/2.0 200 /feeds/a.xml"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP/2.0 304 /feeds/a.xml"), std::string::npos) << log;
  EXPECT_EQ(log.find("HTTP/1."), std::string::npos) << log;
}

TEST_F(Http2Test, WithoutTheCertificateTheFetchFailsVerification) {
  HttpFetcher f(test_options());  // the system's CA bundle: the self-signed
                                  // certificate is unknown
  auto r = fetch_sync(f, feed_request(url("/feeds/a.xml")));
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status, 0);
  EXPECT_TRUE(r.body.empty());
  EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;

  nginx_->signal(SIGQUIT);
  ASSERT_TRUE(nginx_->wait(20s).has_value());
  EXPECT_EQ(access_log().find("/feeds/a.xml"), std::string::npos) << "a request got through";
}

}  // namespace
}  // namespace wirewatch::connectors
