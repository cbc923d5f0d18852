#include "wirewatch/daemon/pipeline.hpp"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "wirewatch/common/thread.hpp"
#include "wirewatch/daemon/alert.hpp"
#include "wirewatch/daemon/journal_sink.hpp"
#include "wirewatch/normalizer/fingerprint.hpp"
#include "wirewatch/normalizer/record.hpp"

namespace wirewatch::daemon {
namespace {

// The fingerprints of the newest stored first copies, oldest first (so the first
// copy wins), so near-duplicates are recognised across restarts.
NearDuplicateIndex load_near_duplicates(Store& store, std::size_t max_records) {
  NearDuplicateIndex index(NearDuplicateIndex::kDefaultThreshold, max_records);
  if (max_records == 0) return index;
  store.each_fingerprint(max_records, [&](const std::string& id, std::string_view bytes) {
    if (auto f = TextFingerprint::from_bytes(bytes)) index.add(id, *f);
  });
  return index;
}

}  // namespace

Pipeline::Pipeline(Store& store, Publisher& publisher, const ActiveRules& rules, PipelineOptions options)
    : store_(store),
      publisher_(publisher),
      rules_(rules),
      options_(std::move(options)),
      last_seq_(store.last_alert_seq()),
      near_duplicates_(load_near_duplicates(store, options_.near_duplicates_max_records)),
      next_record_seq_(store.next_record_seq()),
      files_(options_.state_dir, store.path(), next_record_seq_ - 1),
      checkpointer_(store.path()) {
  published_seq_ = stored_published_seq_ = store.published_seq();
  store_.hand_checkpoints_to([this] { checkpointer_.request(); });
}

Pipeline::~Pipeline() {
  store_.hand_checkpoints_to(nullptr);
  try {
    store_publish_progress();
  } catch (const std::exception& e) {
    spdlog::warn("publish watermark not stored ({}): alerts since may be sent again after a restart",
                 e.what());
  }
}

void Pipeline::store_publish_progress() {
  if (published_seq_ <= stored_published_seq_) return;
  store_.mark_published({published_seq_});
  stored_published_seq_ = published_seq_;
}

void Pipeline::heartbeat() {
  nlohmann::json j = {
      {"seq", last_seq_}, {"instance", options_.instance_id}, {"time", format_utc(now_seconds())}};
  publisher_.publish(kHeartbeatTopic, dump_json(j));
  store_publish_progress();
  // The watchdog is fed from here, the store thread's own loop: if the pipeline
  // stalls, systemd restarts the service.
  if (auto* n = options_.notifier; n && n->enabled()) {
    if (n->watchdog_interval()) n->watchdog();
    n->status(fmt::format("{} record(s), {} alert(s) since start; last seq {}", stats_.records, stats_.alerts,
                          last_seq_));
  }
  auto drops = publisher_.drops();
  if (drops > reported_drops_) {
    if (auto* m = options_.metrics) m->publish_drops.inc(drops - reported_drops_);
    // A subscriber that cannot keep up hits this every second: rate-limited.
    auto text =
        fmt::format("publish: {} message(s) hit a subscriber's high-water mark; it recovers them by replay",
                    drops - reported_drops_);
    if (auto* limited = options_.limited_log)
      limited->log("publish:drops", spdlog::level::warn, "{}", text);
    else
      spdlog::warn("{}", text);
  }
  reported_drops_ = drops;
  if (auto* m = options_.metrics)
    m->queue_depth.with({"record_files"}).set(static_cast<double>(files_.queued()));
}

void Pipeline::publish_record(const Record& record, std::uint64_t seq, const std::string& stored_text) {
  auto j = record_summary(record);
  j["schema"] = kAlertSchema;
  j["seq"] = seq;
  // The prepared record keeps its title only; the body is in the stored text.
  auto parsed = parse_record(stored_text);
  const auto* text = std::get_if<RecordText>(&parsed);
  j["paragraphs"] = text ? text->paragraphs : std::vector<std::string>{};
  publisher_.publish("records." + record.source, dump_json(j));
}

void Pipeline::publish_pending() {
  auto pending = store_.unpublished_alerts();
  if (pending.empty()) return;
  spdlog::info("publishing {} alert(s) stored before the last stop", pending.size());
  publish(pending);
  store_publish_progress();
}

void Pipeline::publish(const std::vector<StoredAlert>& alerts) {
  for (const auto& a : alerts) {
    publisher_.publish(a.topic, a.payload);
    published_seq_ = std::max(published_seq_, a.seq);
  }
  if (auto* m = options_.metrics) m->alerts_published.inc(alerts.size());
}

RecordFileWriter::RecordFileWriter(std::filesystem::path state_dir, const std::filesystem::path& database,
                                   std::uint64_t committed)
    : state_dir_(std::move(state_dir)), store_(database, kReaderCacheKiB), committed_(committed) {
  written_ = store_.record_files_seq();
  if (committed_ > written_)
    spdlog::info("record files: writing those of {} record(s) stored before the last stop",
                 committed_ - written_);
  thread_ = std::thread([this] {
    name_this_thread("ww-files");
    run_this_thread_in_background();
    run();
  });
}

RecordFileWriter::~RecordFileWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void RecordFileWriter::committed(std::uint64_t seq) {
  {
    std::lock_guard lock(mutex_);
    if (seq <= committed_) return;
    committed_ = seq;
  }
  wake_.notify_one();
}

std::size_t RecordFileWriter::queued() const {
  std::lock_guard lock(mutex_);
  auto written = written_.load();
  return committed_ > written ? static_cast<std::size_t>(committed_ - written) : 0;
}

void RecordFileWriter::run() {
  std::optional<std::chrono::steady_clock::time_point> stop_at;
  for (;;) {
    std::uint64_t target = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || committed_ > written_; });
      if (committed_ <= written_) return;  // stopping with nothing left
      if (stopping_) {
        const auto now = std::chrono::steady_clock::now();
        if (!stop_at) stop_at = now + kStopDrain;
        if (now >= *stop_at) {
          spdlog::info("record files: {} left to write after the next start", committed_ - written_);
          return;
        }
      }
      target = committed_;
    }
    try {
      const auto from = written_.load();
      auto rows = store_.record_files_after(from, kBatch);
      // No rows: those up to `target` (committed, so visible) were pruned.
      std::uint64_t upto = rows.empty() ? target : rows.back().seq;
      for (const auto& r : rows)
        if (r.text) write_now(r.file, *r.text);
      upto = std::max(upto, from);
      store_.set_record_files_seq(upto);
      written_ = upto;
    } catch (const StoreError& e) {
      // The files can wait: the database has the text. Retried, not fatal.
      spdlog::error("record files: {}; retrying in 1 s", e.what());
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; })) return;
    }
  }
}

// Written to a temporary name and renamed, so a record file is never seen
// half-written. A failure is logged, not fatal: the database has the text.
void RecordFileWriter::write_now(const std::filesystem::path& relative, const std::string& content) {
  auto path = state_dir_ / relative;
  auto tmp = path;
  tmp += ".tmp";
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0;
  for (std::size_t done = 0; ok && done < content.size();) {
    auto n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok && ::rename(tmp.c_str(), path.c_str()) != 0) {
    ok = false;
    err = errno;
  }
  if (!ok) spdlog::error("cannot write record file {}: {}", path.string(), std::strerror(err));
}

bool Pipeline::throttled(const rules::RuleSet& rules, const std::string& rule_id, TimePoint now) {
  if (throttle_rules_ != &rules) {  // a new rule set: look its throttles up once
    throttle_rules_ = &rules;
    throttles_.clear();
    for (const auto& r : rules.rules())
      if (r.throttle) throttles_[r.id] = *r.throttle;
  }
  auto it = throttles_.find(rule_id);
  if (it == throttles_.end()) return false;
  auto& times = recent_alerts_[rule_id];
  while (!times.empty() && now - times.front() >= it->second.window) times.pop_front();
  if (times.size() >= it->second.count) return true;
  times.push_back(now);
  return false;
}

void Pipeline::prune(std::chrono::milliseconds retention) {
  const auto before = now_seconds() - std::chrono::duration_cast<std::chrono::seconds>(retention);
  std::vector<std::string> files;
  {
    Store::Transaction tx(store_);
    files = store_.prune_records(before);
    tx.commit();
  }
  std::error_code ec;
  for (const auto& f : files) {
    auto path = options_.state_dir / f;
    std::filesystem::remove(path, ec);
    std::filesystem::remove(path.parent_path(), ec);  // only when the day folder is empty
  }
  if (!files.empty()) {
    spdlog::info("retention: pruned {} record(s) fetched before {}", files.size(), format_utc(before));
  }
}

void Pipeline::commit(std::vector<StoreBatch>& batches) {
  struct Published {
    const Record* record;
    std::uint64_t record_seq;
    std::size_t first_alert, alert_count;
    std::chrono::steady_clock::time_point ready_at;
    std::string text;  // the stored text, kept only for publish.records
  };
  std::vector<StoredAlert> created;
  std::vector<Published> stored;

  const auto rules = rules_.get();
  Store::Transaction tx(store_);
  const auto carried_published_seq = published_seq_;
  if (carried_published_seq > stored_published_seq_) store_.raise_published_seq(carried_published_seq);
  std::uint64_t seq = last_seq_;
  std::uint64_t next_record_seq = next_record_seq_;
  const auto now = now_seconds();
  const auto now_text = format_utc(now);
  for (auto& batch : batches) {
    if (batch.feed_state) store_.save_feed_state(batch.feed_state->first, batch.feed_state->second);
    for (auto& c : batch.candidates) {
      if (store_.item_seen(c.source_id, c.item_key)) continue;
      if (!c.record) {
        if (options_.metrics) options_.metrics->rejected.with({c.source_id}).inc();
        // A broken producer writes many files with the same fault: one line per
        // source, fault and window.
        if (auto* limited = options_.limited_log)
          limited->log("rejected:" + c.source_id + ":" + c.rejection, spdlog::level::warn,
                       "source {}: skipping {}: {}", c.source_id, c.origin, c.rejection);
        else
          spdlog::warn("source {}: skipping {}: {}", c.source_id, c.origin, c.rejection);
        store_.mark_item_seen(c.source_id, c.item_key, "rejected: " + c.rejection);
        ++stats_.rejected;
        continue;
      }
      const Record& record = *c.record;
      RecordRow row;
      row.id = record.id;
      row.seq = next_record_seq;
      row.source = record.source;
      row.url = record.url;
      row.title = record.text.title;
      row.published = record.published;
      row.fetched = record.fetched.value_or(now);
      // One folder a day keeps folders small and pruning by date cheap.
      row.file = (std::filesystem::path("records") / format_utc(row.fetched).substr(0, 10) /
                  stored_file_name(row.seq, record.id))
                     .string();
      row.text = std::move(c.stored_text);
      row.author = record.author;
      row.lang = record.language;
      row.fingerprint = c.fingerprint;
      // A syndicated copy of a stored story: kept, pointing at the first copy,
      // and a rule that already fired on the first copy does not fire again.
      std::optional<TextFingerprint> fingerprint;
      if (!c.fingerprint.empty()) fingerprint = TextFingerprint::from_bytes(c.fingerprint);
      if (fingerprint) {
        if (auto first = near_duplicates_.find(*fingerprint)) row.duplicate_of = *first;
      }
      // The same record (same id: same canonical URL or text) stored before:
      // the insert writes nothing, and the item is marked as its duplicate.
      if (!store_.insert_record(row)) {
        if (options_.metrics) options_.metrics->duplicates.with({c.source_id}).inc();
        spdlog::info("source {}: {} is a duplicate of record {}", c.source_id, c.origin, record.id);
        store_.mark_item_seen(c.source_id, c.item_key, "duplicate " + record.id);
        ++stats_.duplicates;
        continue;
      }
      ++next_record_seq;
      if (fingerprint && row.duplicate_of.empty()) near_duplicates_.add(record.id, *fingerprint);
      if (!row.duplicate_of.empty()) {
        spdlog::info("source {}: {} is a near-duplicate of record {}", c.source_id, c.origin,
                     row.duplicate_of);
        if (options_.metrics) options_.metrics->duplicates.with({c.source_id}).inc();
      }
      store_.mark_item_seen(c.source_id, c.item_key, "record " + record.id);

      Published p{&record, row.seq, created.size(), 0, batch.ready_at, {}};
      if (options_.publish_records) p.text = std::move(row.text);
      for (std::size_t m = 0; m < c.matches.size(); ++m) {
        const auto& match = c.matches[m];
        auto id = alert_id(match.rule_id, record.id);
        if (store_.alert_exists(id)) continue;
        if (!row.duplicate_of.empty() && store_.alert_exists(alert_id(match.rule_id, row.duplicate_of))) {
          ++stats_.suppressed;  // counted, not published: the first copy's alert stands
          continue;
        }
        if (throttled(*rules, match.rule_id, now)) {
          ++stats_.throttled;  // over the rule's `throttle`: counted, gets no seq
          continue;
        }
        ++seq;
        StoredAlert alert{seq, id, match.topic,
                          m < c.alert_payloads.size() ? c.alert_payloads[m].render(seq, now_text)
                                                      : dump_json(alert_json(seq, match, record, now))};
        store_.insert_alert(alert, match.rule_id, record.id, now);
        created.push_back(std::move(alert));
        ++p.alert_count;
      }
      stored.push_back(std::move(p));
    }
  }
  tx.commit();
  stored_published_seq_ = std::max(stored_published_seq_, carried_published_seq);
  last_seq_ = seq;
  next_record_seq_ = next_record_seq;
  stats_.records += stored.size();
  stats_.alerts += created.size();

  if (auto* m = options_.metrics) {
    for (const auto& p : stored) m->records.with({p.record->source}).inc();
    for (const auto& a : created) m->alerts.with({a.alert_id.substr(0, a.alert_id.rfind(':'))}).inc();
  }
  // The journal fields are strings made per alert: only when the line is logged.
  const bool log_alerts = spdlog::should_log(spdlog::level::info);
  for (const auto& p : stored) {
    for (std::size_t i = p.first_alert; log_alerts && i < p.first_alert + p.alert_count; ++i) {
      LogFields fields{{"SOURCE_ID", p.record->source},
                       {"RULE_ID", created[i].alert_id.substr(0, created[i].alert_id.rfind(':'))},
                       {"ALERT_ID", created[i].alert_id},
                       {"SEQ", std::to_string(created[i].seq)}};
      spdlog::info("alert seq={} {} topic={} title=\"{}\"", created[i].seq, created[i].alert_id,
                   created[i].topic, p.record->text.title);
    }
    if (options_.publish_records) publish_record(*p.record, p.record_seq, p.text);
  }
  publish(created);
  if (auto* m = options_.metrics) {
    const auto sent = std::chrono::steady_clock::now();
    for (const auto& p : stored) {
      if (p.ready_at == std::chrono::steady_clock::time_point{}) continue;
      for (std::size_t i = 0; i < p.alert_count; ++i) m->fetch_to_publish.observe(sent - p.ready_at);
    }
  }
  if (!stored.empty()) files_.committed(next_record_seq_ - 1);
}

void run_store_loop(Pipeline& pipeline, BoundedQueue<StoreBatch>& batches) {
  using Wait = BoundedQueue<StoreBatch>::Wait;
  pipeline.publish_pending();
  auto next_heartbeat = std::chrono::steady_clock::now();
  auto next_prune = std::chrono::steady_clock::now();
  std::vector<StoreBatch> pending;
  for (;;) {
    auto got = batches.pop_some_until(pending, kMaxBatchesPerCommit, next_heartbeat);
    if (got == Wait::closed) break;
    if (got == Wait::item) {
      pipeline.commit(pending);
      pending.clear();
    }
    if (std::chrono::steady_clock::now() >= next_heartbeat) {
      pipeline.heartbeat();
      next_heartbeat = std::chrono::steady_clock::now() + kHeartbeatInterval;
    }
    if (auto retention = pipeline.retention(); retention && std::chrono::steady_clock::now() >= next_prune) {
      pipeline.prune(*retention);
      next_prune = std::chrono::steady_clock::now() + kPruneInterval;
    }
  }
}

}  // namespace wirewatch::daemon
