// The store thread's bookkeeping of what was published: the watermark a
// restart reads to decide what to send again.
#include "wirewatch/daemon/pipeline.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "wirewatch/daemon/prepare.hpp"

namespace fs = std::filesystem;
using namespace wirewatch;
using namespace wirewatch::daemon;

namespace {

struct Fixture {
  fs::path dir;
  ActiveRules rules;
  zmq::context_t ctx{1};
  Publisher publisher{ctx, {{"tcp://127.0.0.1:*"}, 1000, std::nullopt}};

  Fixture()
      : dir(fs::temp_directory_path() / ("ww-pipeline-" + std::to_string(::getpid()))),
        rules(rules::load_rules_from_string("t.yaml", "rules:\n  - id: wagner\n    query: wagner\n").rules) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Fixture() { fs::remove_all(dir); }

  PipelineOptions options(Store& store) const {
    PipelineOptions o;
    o.state_dir = dir;
    o.instance_id = store.instance_id();
    return o;
  }
  // One record that matches the one rule: one alert.
  std::vector<StoreBatch> batch(int i) {
    connectors::DirectoryItem item{
        "inbox", "r" + std::to_string(i) + ".txt",
        "Wagner story " + std::to_string(i) + "\n\nWagner was seen in place " + std::to_string(i) + ".",
        "k" + std::to_string(i)};
    std::vector<StoreBatch> out;
    out.push_back(prepare(item, *rules.get()));
    return out;
  }
};

std::uint64_t stored_watermark(const fs::path& db) { return Store(db).published_seq(); }

}  // namespace

TEST(Pipeline, PublishWatermarkRidesTheNextCommitAndIsStoredWhenIdleOrStopping) {
  Fixture f;
  const auto db = f.dir / "wirewatch.db";
  {
    Store store(db);
    Pipeline pipeline(store, f.publisher, f.rules, f.options(store));
    auto b1 = f.batch(1);
    pipeline.commit(b1);
    ASSERT_EQ(pipeline.last_seq(), 1u);
    auto b2 = f.batch(2);
    pipeline.commit(b2);  // carries alert 1's watermark
    EXPECT_GE(stored_watermark(db), 1u);
    pipeline.heartbeat();  // idle: stores what the last commit published
    EXPECT_EQ(stored_watermark(db), 2u);
    auto b3 = f.batch(3);
    pipeline.commit(b3);
  }  // stopping stores the rest
  EXPECT_EQ(stored_watermark(db), 3u);

  // Nothing is sent again after a clean stop.
  Store store(db);
  EXPECT_TRUE(store.unpublished_alerts().empty());
}
