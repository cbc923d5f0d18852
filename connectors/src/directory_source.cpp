#include "wirewatch/connectors/directory_source.hpp"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "wirewatch/common/hash.hpp"

namespace wirewatch::connectors {
namespace {

// A file descriptor that closes itself.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

constexpr std::uint32_t kWatchMask =
    IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;

}  // namespace

bool is_record_file_name(std::string_view name) {
  return name.size() > 4 && name.ends_with(".txt") && name.front() != '.';
}

DirectorySource::DirectorySource(DirectorySourceOptions options) : options_(std::move(options)) {}

bool DirectorySource::offer(const std::filesystem::path& file, const Emit& emit) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return true;
  auto size = std::filesystem::file_size(file, ec);
  if (ec) {
    spdlog::warn("source {}: cannot stat {}: {}", options_.source_id, file.string(), ec.message());
    return true;
  }
  if (size > options_.max_file_bytes) {
    spdlog::warn("source {}: skipping {}: {} bytes is over the limit of {}", options_.source_id,
                 file.string(), size, options_.max_file_bytes);
    return true;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    spdlog::warn("source {}: cannot open {}: {}", options_.source_id, file.string(), std::strerror(errno));
    return true;
  }
  std::ostringstream buf;
  buf << in.rdbuf();
  DirectoryItem item;
  item.source_id = options_.source_id;
  item.path = file;
  item.bytes = std::move(buf).str();
  item.key = file.filename().string() + ":" + sha256_hex(item.bytes);
  return emit(std::move(item));
}

bool DirectorySource::scan(const Emit& emit) {
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(options_.path, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_record_file_name(it->path().filename().string())) files.push_back(it->path());
  }
  if (ec) {
    spdlog::warn("source {}: cannot list {}: {}", options_.source_id, options_.path.string(), ec.message());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files)
    if (!offer(f, emit)) return false;
  return true;
}

void DirectorySource::run(const Emit& emit, std::stop_token stop) {
  Fd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  Fd inotify(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!wake || !inotify) {
    spdlog::error("source {}: cannot set up inotify: {}", options_.source_id, std::strerror(errno));
    return;
  }
  std::stop_callback on_stop(stop, [&] {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake.get(), &one, sizeof one);
  });

  bool watching = false;
  int wd = -1;
  bool reported_missing = false;
  alignas(struct inotify_event) char buf[64 * 1024];
  while (!stop.stop_requested()) {
    if (!watching) {
      std::error_code ec;
      std::filesystem::create_directories(options_.path, ec);
      // Watch first, then scan, so a file that arrives in between is not missed
      // (at worst it is offered twice, and the store drops the repeat).
      wd = ::inotify_add_watch(inotify.get(), options_.path.c_str(), kWatchMask);
      if (wd < 0) {
        if (!reported_missing) {
          spdlog::error("source {}: cannot watch {}: {}; retrying every {}ms", options_.source_id,
                        options_.path.string(), std::strerror(errno), options_.retry_interval.count());
          reported_missing = true;
        }
      } else {
        watching = true;
        reported_missing = false;
        spdlog::info("source {}: watching {}", options_.source_id, options_.path.string());
        if (!scan(emit)) return;
      }
    }

    pollfd fds[2] = {{wake.get(), POLLIN, 0}, {inotify.get(), POLLIN, 0}};
    int timeout = watching ? -1 : static_cast<int>(options_.retry_interval.count());
    int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) {
      spdlog::error("source {}: poll failed: {}", options_.source_id, std::strerror(errno));
      return;
    }
    if (stop.stop_requested()) return;
    if (n <= 0 || !(fds[1].revents & POLLIN)) continue;

    ssize_t len;
    while ((len = ::read(inotify.get(), buf, sizeof buf)) > 0) {
      for (char* p = buf; p < buf + len;) {
        auto* ev = reinterpret_cast<struct inotify_event*>(p);
        p += sizeof(struct inotify_event) + ev->len;
        if (ev->mask & IN_Q_OVERFLOW) {
          spdlog::warn("source {}: inotify queue overflowed; rescanning {}", options_.source_id,
                       options_.path.string());
          if (!scan(emit)) return;
        } else if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
          if (ev->wd != wd) continue;  // a late event of a watch already replaced
          if (watching) {
            ::inotify_rm_watch(inotify.get(), wd);  // a moved folder keeps its watch otherwise
            spdlog::warn("source {}: {} went away; waiting for it to return", options_.source_id,
                         options_.path.string());
          }
          watching = false;
        } else if (ev->len > 0 && is_record_file_name(ev->name)) {
          if (!offer(options_.path / ev->name, emit)) return;
        }
      }
    }
  }
}

}  // namespace wirewatch::connectors
