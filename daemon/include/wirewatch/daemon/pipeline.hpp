#pragma once
// The store-and-publish stage: commits prepared records, their source state and
// their alerts in one transaction (batching whatever is waiting, so one fsync
// covers many records), then publishes the alerts. Runs on one thread, which
// owns the Store and the Publisher; between batches it sends the heartbeat.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "wirewatch/connectors/directory_source.hpp"
#include "wirewatch/daemon/bounded_queue.hpp"
#include "wirewatch/daemon/metrics.hpp"
#include "wirewatch/daemon/prepare.hpp"
#include "wirewatch/daemon/publisher.hpp"
#include "wirewatch/daemon/rate_limited_log.hpp"
#include "wirewatch/daemon/service_notifier.hpp"
#include "wirewatch/daemon/store.hpp"
#include "wirewatch/daemon/wal_checkpointer.hpp"
#include "wirewatch/normalizer/fingerprint.hpp"
#include "wirewatch/normalizer/record.hpp"
#include "wirewatch/rules/rule_set.hpp"

namespace wirewatch::daemon {

// The active rule set, swapped atomically on reload; readers keep the set they
// took until they are done with it.
class ActiveRules {
 public:
  explicit ActiveRules(std::shared_ptr<const rules::RuleSet> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const rules::RuleSet> get() const {
    std::lock_guard lock(mutex_);
    return rules_;
  }
  void set(std::shared_ptr<const rules::RuleSet> rules) {
    std::lock_guard lock(mutex_);
    rules_ = std::move(rules);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const rules::RuleSet> rules_;
};

struct IngestStats {
  std::uint64_t records = 0;
  std::uint64_t duplicates = 0;
  std::uint64_t rejected = 0;
  std::uint64_t alerts = 0;
  std::uint64_t suppressed = 0;  // alerts not created: the rule fired on the first copy
  std::uint64_t throttled = 0;   // alerts not created: over the rule's `throttle`
};

struct PipelineOptions {
  std::filesystem::path state_dir;
  std::string instance_id;
  bool publish_records = false;
  WirewatchMetrics* metrics = nullptr;  // counted when set
  ServiceNotifier* notifier = nullptr;  // WATCHDOG=1 and STATUS= with each heartbeat
  // Records fetched longer ago than this are pruned (rows and files); the seen
  // keys of their items stay, so they are never ingested again.
  std::optional<std::chrono::milliseconds> retention;
  // Near-duplicates are looked for among the fingerprints of this many most
  // recent first copies (bounds the index's memory); 0: not looked for.
  std::size_t near_duplicates_max_records = NearDuplicateIndex::kDefaultMaxRecords;
  RateLimitedLog* limited_log = nullptr;  // errors that repeat (rejected items, drops); else spdlog
};

inline constexpr const char* kHeartbeatTopic = "wirewatch.heartbeat";
inline constexpr std::chrono::seconds kHeartbeatInterval{1};
inline constexpr std::chrono::minutes kPruneInterval{10};

// Writes the record files under state_dir/records on its own thread, off the
// store thread's path: the database holds the text, the files are a copy for
// people and tools. The files follow the database: after each commit the store
// thread only wakes the writer, which reads the records after its watermark on
// its own connection, writes their files (atomically, by rename) and moves the
// persisted watermark, so files missing after a crash are written on restart.
class RecordFileWriter {
 public:
  // Opens a connection to `database`; resumes from the persisted watermark up to
  // `committed`, the highest record seq already committed. Throws StoreError.
  RecordFileWriter(std::filesystem::path state_dir, const std::filesystem::path& database,
                   std::uint64_t committed);
  ~RecordFileWriter();  // writes what is left for up to kStopDrain, then stops
  RecordFileWriter(const RecordFileWriter&) = delete;
  RecordFileWriter& operator=(const RecordFileWriter&) = delete;

  // Records up to `seq` are committed: wakes the writer.
  void committed(std::uint64_t seq);
  // Records committed whose files are not written yet (the backlog).
  std::size_t queued() const;
  // The highest record seq whose file is written.
  std::uint64_t written() const { return written_.load(); }

  static constexpr std::size_t kBatch = 256;
  // What is not written by then is written after the next start.
  static constexpr std::chrono::seconds kStopDrain{5};

 private:
  void run();
  void write_now(const std::filesystem::path& relative, const std::string& content);

  std::filesystem::path state_dir_;
  Store store_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::uint64_t committed_ = 0;
  bool stopping_ = false;
  std::atomic<std::uint64_t> written_{0};
  std::thread thread_;
};

class Pipeline {
 public:
  Pipeline(Store& store, Publisher& publisher, const ActiveRules& rules, PipelineOptions options);
  ~Pipeline();  // stores the publish watermark if it is behind; the store checkpoints itself again
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Publishes alerts that were committed but not published (e.g. before a crash).
  void publish_pending();
  // Commits the batches in one transaction, then publishes their alerts.
  // Throws StoreError when the state database or the record files fail.
  void commit(std::vector<StoreBatch>& batches);
  // Sends `wirewatch.heartbeat` {seq, instance, time}, and stores the publish
  // watermark if no commit has carried it since the last publish.
  void heartbeat();

  // Deletes records fetched longer than `retention` ago, with their files.
  void prune(std::chrono::milliseconds retention);
  std::optional<std::chrono::milliseconds> retention() const { return options_.retention; }

  const IngestStats& stats() const { return stats_; }
  std::uint64_t last_seq() const { return last_seq_; }

 private:
  void publish(const std::vector<StoredAlert>& alerts);
  // Stores the publish watermark now if it is behind (idle, or stopping).
  void store_publish_progress();
  void publish_record(const Record& record, std::uint64_t seq, const std::string& stored_text);
  // True when `rule_id` has a throttle and has reached it (sliding window, in memory).
  bool throttled(const rules::RuleSet& rules, const std::string& rule_id, TimePoint now);

  Store& store_;
  Publisher& publisher_;
  const ActiveRules& rules_;
  PipelineOptions options_;
  IngestStats stats_;
  std::uint64_t last_seq_ = 0;
  // The publish watermark: published in memory, and as last stored. It rides
  // along in the next commit's transaction, or is stored by the heartbeat when
  // no commit comes: one transaction per batch instead of two. Only a restart
  // reads it (to re-send what may not have gone out); delivery is at least once.
  std::uint64_t published_seq_ = 0;
  std::uint64_t stored_published_seq_ = 0;
  NearDuplicateIndex near_duplicates_;
  std::uint64_t next_record_seq_ = 0;
  std::uint64_t reported_drops_ = 0;
  const rules::RuleSet* throttle_rules_ = nullptr;
  std::unordered_map<std::string, rules::Throttle> throttles_;
  std::unordered_map<std::string, std::deque<TimePoint>> recent_alerts_;
  RecordFileWriter files_;
  WalCheckpointer checkpointer_;  // checkpoints off the store thread's commits
};

inline constexpr std::size_t kMaxBatchesPerCommit = 256;

// The store thread's loop: publishes what is pending, then commits whatever
// batches are waiting (up to kMaxBatchesPerCommit in one transaction) and sends
// the heartbeat every kHeartbeatInterval, until `batches` is closed and empty.
void run_store_loop(Pipeline& pipeline, BoundedQueue<StoreBatch>& batches);

}  // namespace wirewatch::daemon
