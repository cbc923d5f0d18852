#pragma once
// Test harness for integration tests: temporary folders, a wirewatchd child
// process with its log captured, and waiting with wide deadlines.

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace wirewatch::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write_file(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
}

// Puts a record file into a watched inbox as a well-behaved producer does:
// written under a hidden name, then renamed, so the directory source (whose
// start-up scan may run at any moment) never reads it half-written.
inline void drop_record(const fs::path& inbox, const std::string& name, const std::string& text) {
  write_file(inbox / ("." + name), text);
  fs::rename(inbox / ("." + name), inbox / name);
}

// Polls `done` until it is true or the deadline passes.
inline bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 20s) {
  auto end = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return done();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "wirewatch-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A child process with stdout and stderr sent to files.
class Process {
 public:
  // `env`: extra NAME=value entries on top of this process's environment.
  Process(std::vector<std::string> argv, fs::path out, fs::path err, std::vector<std::string> env = {})
      : out_(std::move(out)), err_(std::move(err)) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), envp.data()) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&fa);
  }
  ~Process() {
    if (running()) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !status_; }
  void signal(int sig) const { ::kill(pid_, sig); }

  // The exit code, once the process has exited within the deadline; -1 when killed by a signal.
  std::optional<int> wait(std::chrono::milliseconds deadline = 20s) {
    wait_until(
        [&] {
          if (status_) return true;
          int st = 0;
          if (::waitpid(pid_, &st, WNOHANG) == pid_) status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
          return status_.has_value();
        },
        deadline);
    return status_;
  }

  std::string out() const { return read_file(out_); }
  std::string err() const { return read_file(err_); }

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  fs::path out_, err_;
};

inline std::string wirewatchd_path() { return std::string(WIREWATCH_BINARY_DIR) + "/daemon/wirewatchd"; }
inline std::string wirewatch_path() { return std::string(WIREWATCH_BINARY_DIR) + "/cli/wirewatch"; }
inline fs::path seeds_dir() { return fs::path(WIREWATCH_FIXTURES) / "seeds"; }

// wirewatchd on dir/wirewatch.yaml, which the caller writes. Each run has its
// own stderr file (stderr1.log, stderr2.log, ...) so that log() after a restart
// shows the current run only.
class DaemonProcess {
 public:
  // `env`: extra NAME=value entries for the daemon's environment.
  explicit DaemonProcess(fs::path dir, std::vector<std::string> env = {})
      : dir_(std::move(dir)), env_(std::move(env)) {}

  // Spawns without waiting, for tests that watch the daemon before it is ready.
  Process& spawn() {
    // A file left by an earlier run would look like this run is ready.
    fs::remove(endpoints_file());
    process_ = std::make_unique<Process>(
        std::vector<std::string>{wirewatchd_path(), "--config", (dir_ / "wirewatch.yaml").string()},
        dir_ / "stdout.log", dir_ / ("stderr" + std::to_string(++runs_) + ".log"), env_);
    return *process_;
  }

  // Spawns and returns state/endpoints.json once the daemon has written it (its
  // sockets are bound); nullopt when it did not within the deadline.
  std::optional<nlohmann::json> start(std::chrono::milliseconds deadline = 20s) {
    spawn();
    if (!wait_until([&] { return fs::exists(endpoints_file()); }, deadline)) return std::nullopt;
    return nlohmann::json::parse(read_file(endpoints_file()));
  }

  // SIGTERM; the exit code once it has exited within the deadline.
  std::optional<int> stop(std::chrono::milliseconds deadline = 20s) {
    if (!process_) return std::nullopt;
    process_->signal(SIGTERM);
    return process_->wait(deadline);
  }

  // SIGKILL, as a crash would end it.
  void kill() {
    if (!process_) return;
    process_->signal(SIGKILL);
    process_->wait();
  }

  Process& process() { return *process_; }
  std::string log() const { return process_ ? process_->err() : std::string(); }
  bool log_contains(const std::string& s) const { return log().find(s) != std::string::npos; }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path endpoints_file() const { return dir_ / "state" / "endpoints.json"; }

  fs::path dir_;
  std::vector<std::string> env_;
  int runs_ = 0;
  std::unique_ptr<Process> process_;
};

// Runs a command to completion and returns {exit code, stdout, stderr}.
struct RunResult {
  int code = -1;
  std::string out, err;
};
inline RunResult run(std::vector<std::string> argv, const fs::path& scratch) {
  Process p(std::move(argv), scratch / "run.out", scratch / "run.err");
  RunResult r;
  r.code = p.wait(60s).value_or(-1);
  r.out = p.out();
  r.err = p.err();
  return r;
}

}  // namespace wirewatch::testing
