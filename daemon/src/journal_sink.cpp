#include "wirewatch/daemon/journal_sink.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

// Our own CODE_FILE/CODE_LINE/CODE_FUNC are sent; keep sd-journal.h's macros
// from adding this file's location instead.
#ifndef SD_JOURNAL_SUPPRESS_LOCATION
#define SD_JOURNAL_SUPPRESS_LOCATION
#endif
#include <systemd/sd-journal.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace wirewatch::daemon {
namespace {

thread_local std::vector<LogField> t_fields;

constexpr std::array<std::string_view, 7> kReservedFields = {
    "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "TID"};

bool reserved(std::string_view name) {
  for (auto r : kReservedFields) {
    if (name == r) return true;
  }
  return false;
}

}  // namespace

std::string journal_field_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'a' && c <= 'z')
      out += static_cast<char>(c - 'a' + 'A');
    else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
      out += c;
    else
      out += '_';
  }
  // A user field may not begin with '_' (those are trusted fields) or a digit.
  auto first = out.find_first_not_of("_0123456789");
  if (first == std::string::npos) return {};
  out.erase(0, first);
  if (out.size() > 64) out.resize(64);
  return out;
}

LogFields::LogFields(std::initializer_list<std::pair<std::string_view, std::string>> fields)
    : restore_size_(t_fields.size()) {
  for (const auto& [name, value] : fields) {
    auto valid = journal_field_name(name);
    if (valid.empty() || reserved(valid)) continue;
    t_fields.push_back({std::move(valid), value});
  }
}

LogFields::~LogFields() { t_fields.resize(restore_size_); }

std::span<const LogField> LogFields::current() { return t_fields; }

int journal_priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return 7;  // LOG_DEBUG
    case spdlog::level::info:
      return 6;  // LOG_INFO
    case spdlog::level::warn:
      return 4;  // LOG_WARNING
    case spdlog::level::err:
      return 3;  // LOG_ERR
    case spdlog::level::critical:
      return 2;  // LOG_CRIT
    default:
      return 6;
  }
}

int send_to_journal(std::span<const std::string> fields) {
  std::vector<iovec> iov(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) {
    iov[i].iov_base = const_cast<char*>(fields[i].data());
    iov[i].iov_len = fields[i].size();
  }
  return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

JournalSink::JournalSink(std::string identifier, JournalSender sender)
    : identifier_(std::move(identifier)), sender_(std::move(sender)) {}

std::vector<std::string> JournalSink::entry(const spdlog::details::log_msg& msg) const {
  std::vector<std::string> fields;
  auto context = LogFields::current();
  fields.reserve(6 + context.size());
  fields.push_back("MESSAGE=" + std::string(msg.payload.data(), msg.payload.size()));
  fields.push_back("PRIORITY=" + std::to_string(journal_priority(msg.level)));
  fields.push_back("SYSLOG_IDENTIFIER=" + identifier_);
  if (msg.thread_id != 0) fields.push_back("TID=" + std::to_string(msg.thread_id));
  if (!msg.source.empty()) {
    if (msg.source.filename) fields.push_back(std::string("CODE_FILE=") + msg.source.filename);
    fields.push_back("CODE_LINE=" + std::to_string(msg.source.line));
    if (msg.source.funcname) fields.push_back(std::string("CODE_FUNC=") + msg.source.funcname);
  }
  // Inner guards come later and win: skip a field that is set again further on.
  for (std::size_t i = 0; i < context.size(); ++i) {
    bool overridden = false;
    for (std::size_t j = i + 1; j < context.size() && !overridden; ++j) {
      overridden = context[j].name == context[i].name;
    }
    if (!overridden) fields.push_back(context[i].name + "=" + context[i].value);
  }
  return fields;
}

void JournalSink::sink_it_(const spdlog::details::log_msg& msg) {
  if (sender_(entry(msg)) >= 0) return;
  // The journal is unreachable: keep the message rather than lose it.
  auto level = spdlog::level::to_string_view(msg.level);
  std::fprintf(stderr, "%.*s %.*s\n", static_cast<int>(level.size()), level.data(),
               static_cast<int>(msg.payload.size()), msg.payload.data());
}

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  std::string_view value(stream);
  auto colon = value.find(':');
  if (colon == std::string_view::npos) return false;
  struct stat st {};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  try {
    std::size_t used = 0;
    std::string dev(value.substr(0, colon));
    std::string ino(value.substr(colon + 1));
    auto d = std::stoull(dev, &used);
    if (used != dev.size()) return false;
    auto i = std::stoull(ino, &used);
    if (used != ino.size()) return false;
    return d == static_cast<unsigned long long>(st.st_dev) && i == static_cast<unsigned long long>(st.st_ino);
  } catch (const std::exception&) {
    return false;
  }
}

LogTarget setup_logging(spdlog::level::level_enum level) {
  const bool journal = stderr_is_journal();
  spdlog::sink_ptr sink;
  if (journal) {
    sink = std::make_shared<JournalSink>();
  } else {
    sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    sink->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  }
  auto logger = std::make_shared<spdlog::logger>("wirewatchd", std::move(sink));
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
  return journal ? LogTarget::journal : LogTarget::console;
}

}  // namespace wirewatch::daemon
