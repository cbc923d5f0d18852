#pragma once
// The fixture HTTP server (tests/fixtures/http/server.py) as a child process on
// 127.0.0.1, with its request log parsed.

#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness.hpp"

namespace wirewatch::testing {

inline fs::path http_fixtures() { return fs::path(WIREWATCH_FIXTURES) / "http"; }

class FixtureServer {
 public:
  // Serves a copy of tests/fixtures/http/feeds/ from its own folder (tests may rewrite it).
  explicit FixtureServer(bool tls = false) {
    // Requests go straight to 127.0.0.1 whatever proxy the machine's environment names.
    for (const char* v : {"http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"})
      ::unsetenv(v);
    fs::create_directories(root());
    for (const auto& e : fs::directory_iterator(http_fixtures() / "feeds"))
      fs::copy_file(e.path(), root() / e.path().filename());
    std::vector<std::string> argv = {"/usr/bin/python3",
                                     (http_fixtures() / "server.py").string(),
                                     "--root",
                                     root().string(),
                                     "--log",
                                     log_path().string(),
                                     "--max-seconds",
                                     "240"};
    if (tls) {
      argv.insert(argv.end(), {"--tls-cert", (http_fixtures() / "tls-cert.pem").string(), "--tls-key",
                               (http_fixtures() / "tls-key.pem").string()});
    }
    process_ = std::make_unique<Process>(argv, dir_.path() / "server.out", dir_.path() / "server.err");
    wait_until([&] { return !process_->out().empty() && process_->out().back() == '\n'; }, 20s);
    port_ = std::stoi("0" + process_->out());
    scheme_ = tls ? "https" : "http";
  }

  int port() const { return port_; }
  bool up() const { return port_ > 0; }
  std::string base() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
  std::string url(const std::string& path) const { return base() + path; }
  fs::path root() const { return dir_.path() / "root"; }
  fs::path log_path() const { return dir_.path() / "requests.log"; }
  std::string err() const { return process_->err(); }

  // Replaces a served file; its ETag and Last-Modified change (size or mtime).
  void write(const std::string& name, const std::string& content) {
    auto tmp = root() / ("." + name + ".tmp");
    write_file(tmp, content);
    fs::rename(tmp, root() / name);
  }

  // Every request so far, in order.
  std::vector<nlohmann::json> requests() const {
    std::vector<nlohmann::json> out;
    std::istringstream in(read_file(log_path()));
    for (std::string line; std::getline(in, line);)
      if (!line.empty()) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::vector<nlohmann::json> requests_for(const std::string& path) const {
    std::vector<nlohmann::json> out;
    for (auto& r : requests())
      if (r["path"] == path) out.push_back(r);
    return out;
  }

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  int port_ = 0;
  std::string scheme_;
};

}  // namespace wirewatch::testing
