#include "wirewatch/daemon/service_notifier.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <string>

using namespace wirewatch::daemon;

namespace {

std::int64_t monotonic_usec() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000 + ts.tv_nsec / 1000;
}

// Plays systemd: an AF_UNIX datagram socket named by NOTIFY_SOCKET.
class NotifySocket : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wirewatch-notify-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/notify.sock";
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd_, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    ASSERT_LT(path_.size(), sizeof addr.sun_path);
    path_.copy(addr.sun_path, path_.size());
    ASSERT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    timeval tv{2, 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", path_.c_str(), 1);
  }

  void TearDown() override {
    unsetenv("NOTIFY_SOCKET");
    if (fd_ >= 0) close(fd_);
    std::filesystem::remove_all(dir_);
  }

  // The next datagram, or "<none>" after 2 s.
  std::string receive() {
    char buf[4096];
    auto n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return "<none>";
    return std::string(buf, static_cast<std::size_t>(n));
  }

  bool pending() {
    char c;
    return recv(fd_, &c, 1, MSG_DONTWAIT | MSG_PEEK) >= 0;
  }

  std::string dir_;
  std::string path_;
  int fd_ = -1;
};

}  // namespace

TEST_F(NotifySocket, SendsEachStateAsOneDatagramInOrder) {
  ServiceNotifier n;
  EXPECT_TRUE(n.enabled());
  EXPECT_TRUE(n.ready());
  EXPECT_TRUE(n.status("12 records, 3 alerts"));
  EXPECT_TRUE(n.watchdog());
  EXPECT_TRUE(n.stopping());
  EXPECT_EQ(receive(), "READY=1");
  EXPECT_EQ(receive(), "STATUS=12 records, 3 alerts");
  EXPECT_EQ(receive(), "WATCHDOG=1");
  EXPECT_EQ(receive(), "STOPPING=1");
  EXPECT_FALSE(pending());
}

TEST_F(NotifySocket, ReloadingCarriesTheMonotonicClockInMicroseconds) {
  ServiceNotifier n;
  const auto before = monotonic_usec();
  ASSERT_TRUE(n.reloading());
  const auto after = monotonic_usec();
  auto message = receive();
  const std::string prefix = "RELOADING=1\nMONOTONIC_USEC=";
  ASSERT_TRUE(message.starts_with(prefix)) << message;
  auto digits = message.substr(prefix.size());
  ASSERT_FALSE(digits.empty());
  ASSERT_EQ(digits.find_first_not_of("0123456789"), std::string::npos) << message;
  auto usec = std::stoll(digits);
  EXPECT_GE(usec, before);
  EXPECT_LE(usec, after);
}

TEST_F(NotifySocket, StatusIsKeptOnOneLine) {
  ServiceNotifier n;
  ASSERT_TRUE(n.status("rules reload refused:\nrules.d/a.yaml:3:7: bad"));
  EXPECT_EQ(receive(), "STATUS=rules reload refused: rules.d/a.yaml:3:7: bad");
}

TEST_F(NotifySocket, WatchdogIntervalComesFromTheEnvironmentForThisProcessOnly) {
  ServiceNotifier n;
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
  EXPECT_EQ(n.watchdog_interval(), std::nullopt);

  setenv("WATCHDOG_USEC", "30000000", 1);
  setenv("WATCHDOG_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(n.watchdog_interval(), std::chrono::seconds(30));

  setenv("WATCHDOG_PID", std::to_string(getpid() + 1).c_str(), 1);
  EXPECT_EQ(n.watchdog_interval(), std::nullopt);
  unsetenv("WATCHDOG_USEC");
  unsetenv("WATCHDOG_PID");
}

TEST(ServiceNotifier, IsANoOpWithoutNotifySocket) {
  unsetenv("NOTIFY_SOCKET");
  ServiceNotifier n;
  EXPECT_FALSE(n.enabled());
  EXPECT_FALSE(n.ready());
  EXPECT_FALSE(n.status("x"));
  EXPECT_FALSE(n.reloading());
  EXPECT_FALSE(n.stopping());
  EXPECT_FALSE(n.watchdog());
}

TEST(ServiceNotifier, MessagesHaveTheDocumentedText) {
  EXPECT_EQ(ServiceNotifier::reloading_message(std::chrono::microseconds(1234567)),
            "RELOADING=1\nMONOTONIC_USEC=1234567");
  EXPECT_EQ(ServiceNotifier::status_message("a\r\nb"), "STATUS=a  b");
}
