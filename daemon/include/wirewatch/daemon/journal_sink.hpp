#pragma once
// Logging for wirewatchd: under systemd, straight to the journal with
// structured fields; elsewhere, one line per message on stderr.
//
// Structured fields come from a per-thread log context: a LogFields guard adds
// fields for as long as it lives, and every message logged on that thread in
// the meantime carries them in the journal:
//
//   LogFields fields{{"SOURCE_ID", item.source_id}, {"SEQ", std::to_string(seq)}};
//   spdlog::info("alert seq={} ...", seq);   // journal: SOURCE_ID=inbox SEQ=12
//
// The context is read by the sink on the logging thread, so it works with
// spdlog's synchronous loggers (the default), not with async ones.

#include <spdlog/common.h>
#include <spdlog/sinks/base_sink.h>

#include <cstddef>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wirewatch::daemon {

struct LogField {
  std::string name;  // a valid journal field name: A-Z, 0-9, _; not starting with _ or a digit
  std::string value;
};

// Adds fields to the calling thread's log context until it goes out of scope.
// Guards nest; an inner field of the same name wins while it lives. Names are
// upper-cased and other characters become '_' (journal field rules); a name
// that is left empty, or one the sink sets itself (MESSAGE, PRIORITY,
// SYSLOG_IDENTIFIER, CODE_*, TID), is dropped.
class LogFields {
 public:
  LogFields(std::initializer_list<std::pair<std::string_view, std::string>> fields);
  ~LogFields();
  LogFields(const LogFields&) = delete;
  LogFields& operator=(const LogFields&) = delete;

  // The calling thread's fields, outermost first (duplicates possible).
  static std::span<const LogField> current();

 private:
  std::size_t restore_size_;
};

// Turns a name into a journal field name; empty when nothing valid is left.
std::string journal_field_name(std::string_view name);

// syslog priority (0..7) for an spdlog level: trace/debug 7, info 6, warn 4,
// err 3, critical 2.
int journal_priority(spdlog::level::level_enum level);

// Receives one entry as "FIELD=value" strings; returns sd_journal_sendv's
// result (negative errno on failure). Tests substitute their own.
using JournalSender = std::function<int(std::span<const std::string> fields)>;
int send_to_journal(std::span<const std::string> fields);

// An spdlog sink writing each message as one journal entry with MESSAGE (the
// message text, without time or level: the journal has both), PRIORITY,
// SYSLOG_IDENTIFIER, TID, CODE_FILE/CODE_LINE/CODE_FUNC (when logged with
// SPDLOG_LOGGER_* macros) and the thread's LogFields. When the journal cannot
// be reached the line goes to stderr instead.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JournalSink(std::string identifier = "wirewatchd", JournalSender sender = send_to_journal);

  // The fields sink_it_ sends for a message; public for tests.
  std::vector<std::string> entry(const spdlog::details::log_msg& msg) const;

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::string identifier_;
  JournalSender sender_;
};

enum class LogTarget { console, journal };

// True when JOURNAL_STREAM ("<device>:<inode>") names the file stderr is
// connected to, i.e. systemd connected stderr to the journal (systemd.exec(5)).
bool stderr_is_journal();

// Makes the default spdlog logger ("wirewatchd"): the journal sink when
// stderr_is_journal(), else stderr with "<ISO time> <level> <message>". May be
// called again (e.g. once the config's log level is known); the previous
// default logger is replaced.
LogTarget setup_logging(spdlog::level::level_enum level);

}  // namespace wirewatch::daemon
