// Delivery benchmark: alerts/s through commit + publish (synchronous=FULL,
// batched commits) beside the limits wirewatch works against, in one run:
//   sqlite  raw INSERTs of the same payload size, same settings, same batching
//   zmq     raw PUB→SUB throughput for the same message size on loopback
//   wirewatch  prepared records → store thread (commit + publish) → a SUB
// and the latency "record ready → subscriber received" at a paced 1,000 alerts/s.
//
//   build/bench/delivery/bench_delivery [--alerts N] [--dir DIR]
#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>
#include <zmq.hpp>

#include "wirewatch/daemon/pipeline.hpp"

namespace fs = std::filesystem;
using namespace wirewatch;
using namespace wirewatch::daemon;
using Steady = std::chrono::steady_clock;

namespace {

double seconds_since(Steady::time_point t) {
  return std::chrono::duration<double>(Steady::now() - t).count();
}

std::string record_text(int i) {
  std::string body;
  for (int p = 0; p < 8; ++p) {
    body += "\n\nParagraph " + std::to_string(p) +
            " of a report on Wagner instructors training Belarusian troops near Brest, with "
            "more words to reach the size of a real article in the seed records here.";
  }
  return "Record " + std::to_string(i) + body;
}

double sqlite_raw(const fs::path& dir, int n, std::size_t payload_size, int batch) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / "raw.db").c_str(), &db);
  sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE alerts (seq INTEGER PRIMARY KEY, alert_id TEXT UNIQUE, payload TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO alerts VALUES (?1, ?2, ?3)", -1, &st, nullptr);
  std::string payload(payload_size, 'x');
  auto t0 = Steady::now();
  for (int i = 0; i < n; i += batch) {
    sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
    for (int j = i; j < std::min(n, i + batch); ++j) {
      auto id = "rule:" + std::to_string(j);
      sqlite3_bind_int64(st, 1, j + 1);
      sqlite3_bind_text(st, 2, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, payload.data(), static_cast<int>(payload.size()), SQLITE_STATIC);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double s = seconds_since(t0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return n / s;
}

double zmq_raw(int n, std::size_t payload_size) {
  zmq::context_t ctx(1);
  zmq::socket_t pub(ctx, zmq::socket_type::pub), sub(ctx, zmq::socket_type::sub);
  pub.set(zmq::sockopt::sndhwm, 0);
  sub.set(zmq::sockopt::rcvhwm, 0);
  pub.bind("tcp://127.0.0.1:*");
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(pub.get(zmq::sockopt::last_endpoint));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  std::string topic = "alerts.bench", payload(payload_size, 'x');
  std::thread receiver([&] {
    zmq::message_t m;
    for (int i = 0; i < n; ++i) {
      (void)sub.recv(m);
      (void)sub.recv(m);
    }
  });
  auto t0 = Steady::now();
  for (int i = 0; i < n; ++i) {
    pub.send(zmq::buffer(topic), zmq::send_flags::sndmore);
    pub.send(zmq::buffer(payload), zmq::send_flags::none);
  }
  receiver.join();
  return n / seconds_since(t0);
}

struct PipelineRun {
  double alerts_per_s = 0;
  std::size_t payload_size = 0;
  std::vector<double> latencies_ms;
};

// Runs prepared records through a real Store + Publisher + store loop; a SUB
// counts alerts. With `pace` > 0, one record is made ready every `pace`.
PipelineRun pipeline_run(const fs::path& dir, int n, std::chrono::microseconds pace) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto loaded = rules::load_rules_from_string(
      "bench.yaml", "rules:\n  - id: wagner\n    query: Wagner AND instructors\n");
  ActiveRules rules(loaded.rules);
  Store store(dir / "wirewatch.db");
  zmq::context_t ctx(1);
  Publisher publisher(ctx, {{"tcp://127.0.0.1:*"}, 1'000'000, std::nullopt});
  zmq::socket_t sub(ctx, zmq::socket_type::sub);
  sub.set(zmq::sockopt::rcvhwm, 0);
  sub.set(zmq::sockopt::subscribe, "alerts.");
  sub.connect(publisher.bound_endpoints()[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  PipelineOptions options;
  options.state_dir = dir;
  options.instance_id = store.instance_id();
  Pipeline pipeline(store, publisher, rules, options);

  // Prepare (normalize + match) up front: this measures commit + publish.
  std::vector<StoreBatch> prepared;
  for (int i = 0; i < n; ++i) {
    connectors::DirectoryItem item{"bench", "r" + std::to_string(i) + ".txt", record_text(i),
                                   "k" + std::to_string(i)};
    prepared.push_back(prepare(item, *rules.get()));
  }

  PipelineRun run;
  std::vector<Steady::time_point> ready(static_cast<std::size_t>(n));
  std::vector<Steady::time_point> received(static_cast<std::size_t>(n));
  std::thread receiver([&] {
    zmq::message_t topic, payload;
    for (int i = 0; i < n; ++i) {
      (void)sub.recv(topic);
      (void)sub.recv(payload);
      auto seq = nlohmann::json::parse(payload.to_string_view())["seq"].get<std::size_t>();
      if (seq >= 1 && seq <= received.size()) received[seq - 1] = Steady::now();
      if (i == 0) run.payload_size = payload.size();
    }
  });
  BoundedQueue<StoreBatch> batches(1024);
  std::thread store_thread([&] { run_store_loop(pipeline, batches); });
  auto t0 = Steady::now();
  for (int i = 0; i < n; ++i) {
    if (pace.count() > 0) std::this_thread::sleep_until(t0 + pace * i);
    ready[static_cast<std::size_t>(i)] = Steady::now();
    batches.push(std::move(prepared[static_cast<std::size_t>(i)]));
  }
  receiver.join();
  run.alerts_per_s = n / seconds_since(t0);
  batches.close();
  store_thread.join();
  for (std::size_t i = 0; i < ready.size(); ++i) {
    run.latencies_ms.push_back(std::chrono::duration<double, std::milli>(received[i] - ready[i]).count());
  }
  std::sort(run.latencies_ms.begin(), run.latencies_ms.end());
  return run;
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * static_cast<double>(sorted.size())))];
}

}  // namespace

int main(int argc, char** argv) {
  int n = 20'000;
  fs::path dir = fs::temp_directory_path() / "wirewatch-bench-delivery";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--alerts") n = std::stoi(argv[i + 1]);
    if (a == "--dir") dir = argv[i + 1];
  }
  spdlog::set_level(spdlog::level::warn);  // one info line per alert would measure the logger

  auto full = pipeline_run(dir / "wirewatch", n, std::chrono::microseconds(0));
  const std::size_t size = full.payload_size;
  fs::create_directories(dir / "sqlite");
  fs::remove(dir / "sqlite" / "raw.db");
  // The store commits whatever is waiting: at full load that is up to 256 records a transaction.
  double sqlite_rate = sqlite_raw(dir / "sqlite", n, size, 256);
  double zmq_rate = zmq_raw(n, size);
  auto paced = pipeline_run(dir / "paced", 5'000, std::chrono::microseconds(1000));

  std::printf("delivery benchmark: %d alerts of %zu bytes, synchronous=FULL, WAL, on %s\n", n, size,
              dir.c_str());
  std::printf("%-44s %12s\n", "path", "alerts/s");
  std::printf("%-44s %12.0f\n", "wirewatch commit + publish (batched)", full.alerts_per_s);
  std::printf("%-44s %12.0f\n", "sqlite raw INSERT, 256 per transaction", sqlite_rate);
  std::printf("%-44s %12.0f\n", "zeromq raw PUB->SUB, same message size", zmq_rate);
  std::printf("wirewatch / sqlite raw: %.0f %%\n", 100.0 * full.alerts_per_s / sqlite_rate);
  std::printf("latency record ready -> received at 1000 alerts/s (5000 alerts): p50 %.2f ms, "
              "p99 %.2f ms, max %.2f ms\n",
              percentile(paced.latencies_ms, 0.50), percentile(paced.latencies_ms, 0.99),
              paced.latencies_ms.empty() ? 0.0 : paced.latencies_ms.back());
  fs::remove_all(dir);
  return 0;
}
