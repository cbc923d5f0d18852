#include "wirewatch/daemon/pipeline.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/normalizer/record.hpp"

namespace wirewatch::daemon {
namespace {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Pipeline::Pipeline(Store& store, Publisher& publisher, const ActiveRules& rules,
                   PipelineOptions options)
    : store_(store),
      publisher_(publisher),
      rules_(rules),
      options_(std::move(options)),
      last_seq_(store.last_alert_seq()) {}

void Pipeline::heartbeat() {
  nlohmann::json j = {
      {"seq", last_seq_}, {"instance", options_.instance_id}, {"time", format_utc(now_seconds())}};
  publisher_.publish(kHeartbeatTopic, dump(j));
}

void Pipeline::publish_record(const Record& record, std::uint64_t seq) {
  auto j = record_summary(record);
  j["schema"] = kAlertSchema;
  j["seq"] = seq;
  j["paragraphs"] = record.text.paragraphs;
  publisher_.publish("records." + record.source, dump(j));
}

void Pipeline::publish_pending() {
  auto pending = store_.unpublished_alerts();
  if (pending.empty()) return;
  spdlog::info("publishing {} alert(s) stored before the last stop", pending.size());
  publish(pending);
}

void Pipeline::publish(const std::vector<StoredAlert>& alerts) {
  std::vector<std::uint64_t> seqs;
  seqs.reserve(alerts.size());
  for (const auto& a : alerts) {
    publisher_.publish(a.topic, a.payload);
    seqs.push_back(a.seq);
  }
  store_.mark_published(seqs);
}

// Written to a temporary name, flushed and renamed, so a record file is never
// seen half-written; it exists before the transaction that refers to it commits.
void Pipeline::write_record_file(const std::filesystem::path& relative,
                                 const std::string& content) {
  auto path = options_.state_dir / relative;
  std::filesystem::create_directories(path.parent_path());
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StoreError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      throw StoreError("cannot write " + tmp.string() + ": " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(tmp.c_str(), path.c_str()) != 0) {
    throw StoreError("cannot store " + path.string() + ": " + std::strerror(errno));
  }
}

void Pipeline::ingest(const connectors::DirectoryItem& item) {
  const auto file_name = item.path.filename().string();
  Store::Transaction tx(store_);
  if (store_.item_seen(item.source_id, item.key)) return;

  auto parsed = parse_record(item.bytes);
  if (auto* err = std::get_if<RecordError>(&parsed)) {
    spdlog::warn("source {}: skipping {}: {}", item.source_id, item.path.string(), err->message);
    store_.mark_item_seen(item.source_id, item.key, "rejected: " + err->message);
    tx.commit();
    ++stats_.rejected;
    return;
  }

  Record record;
  record.text = std::move(std::get<RecordText>(parsed));
  record.source = item.source_id;
  record.fetched = now_seconds();
  auto named_id = id_from_file_name(file_name);
  record.id = named_id ? *named_id : record_id("", record.text);

  if (store_.record_exists(record.id)) {
    spdlog::info("source {}: {} is a duplicate of record {}", item.source_id, item.path.string(),
                 record.id);
    store_.mark_item_seen(item.source_id, item.key, "duplicate " + record.id);
    tx.commit();
    ++stats_.duplicates;
    return;
  }

  RecordRow row;
  row.id = record.id;
  row.seq = store_.next_record_seq();
  row.source = record.source;
  row.title = record.text.title;
  row.file = (std::filesystem::path("records") / stored_file_name(row.seq, record.id)).string();
  row.fetched = *record.fetched;
  write_record_file(row.file, write_record(record.text));
  store_.insert_record(row);
  store_.mark_item_seen(item.source_id, item.key, "record " + record.id);

  auto rules = rules_.get();
  const rules::TextDocument doc(record.text.title, record.text.body());
  std::vector<StoredAlert> created;
  std::uint64_t seq = store_.last_alert_seq();
  const auto now = now_seconds();
  for (const auto& match : rules->match(doc)) {
    auto id = alert_id(match.rule_id, record.id);
    if (store_.alert_exists(id)) continue;
    StoredAlert alert{++seq, id, match.topic, dump(alert_json(seq, match, record, now))};
    store_.insert_alert(alert, match.rule_id, record.id, now);
    created.push_back(std::move(alert));
  }
  tx.commit();
  last_seq_ = seq;
  ++stats_.records;
  stats_.alerts += created.size();

  spdlog::debug("source {}: stored {} as record {} ({} alert(s))", item.source_id,
                item.path.string(), record.id, created.size());
  for (const auto& a : created) {
    spdlog::info("alert seq={} {} topic={} title=\"{}\"", a.seq, a.alert_id, a.topic,
                 record.text.title);
  }
  if (options_.publish_records) publish_record(record, row.seq);
  publish(created);
}

}  // namespace wirewatch::daemon
