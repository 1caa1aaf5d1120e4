// Shared by the scenario tests: small hand-made datasets, stub recommenders
// built in the test (no plugin library) that record every training pair
// and fold-in history they are given, and a fitter that hands them to a
// scenario in place of the plugin registry's recommenders.
#pragma once

#include <tbb/task_arena.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "data/dataset.h"
#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "reclift/plugin.h"
#include "scenarios/common.h"
#include "split/split.h"

namespace scenario_test {

using namespace reclift::host;
using reclift::Context;
using reclift::Params;
using reclift::Recommender;
using reclift::Status;
using reclift::TrainData;

using Pair = std::pair<uint32_t, uint32_t>;  // (user, item)

// What the stubs saw: per Fit call, the arm and every (user, item) of the
// training view (read both user-major and item-major, which must agree);
// and every fold-in history.
struct Recorder {
  struct FitCall {
    std::string arm;
    std::set<Pair> pairs;
  };
  std::mutex mutex;
  std::vector<FitCall> fits;
  std::vector<std::vector<uint32_t>> histories;
};

// A stub recommender: scores with `score(history, item)`, where history is
// the user's training row (Score) or the fold-in history (ScoreHistory).
using ScoreRule =
    std::function<float(const std::vector<uint32_t>& history, uint32_t item, const TrainData& train)>;

class StubRecommender final : public Recommender {
 public:
  StubRecommender(std::string arm, ScoreRule rule, Recorder* recorder)
      : arm_(std::move(arm)), rule_(std::move(rule)), recorder_(recorder) {}

  Status Fit(const TrainData& data, const Params&, const Context&) override {
    train_ = &data;
    Recorder::FitCall call{arm_, {}};
    std::set<Pair> by_item;
    for (uint32_t u = 0; u < data.num_users; ++u) {
      for (uint32_t i : data.by_user.RowIndices(u)) call.pairs.insert({u, i});
    }
    for (uint32_t i = 0; i < data.num_items; ++i) {
      for (uint32_t u : data.by_item.RowIndices(i)) by_item.insert({u, i});
    }
    if (by_item != call.pairs) return Status::Internal("user-major and item-major views differ");
    std::lock_guard<std::mutex> lock(recorder_->mutex);
    recorder_->fits.push_back(std::move(call));
    return {};
  }
  Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override {
    const auto row = train_->by_user.RowIndices(user);
    const std::vector<uint32_t> history(row.begin(), row.end());
    for (size_t j = 0; j < items.size(); ++j) out[j] = rule_(history, items[j], *train_);
    return {};
  }
  Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float>,
                      std::span<const uint32_t> items, std::span<float> out) const override {
    const std::vector<uint32_t> history(history_items.begin(), history_items.end());
    {
      std::lock_guard<std::mutex> lock(recorder_->mutex);
      recorder_->histories.push_back(history);
    }
    for (size_t j = 0; j < items.size(); ++j) out[j] = rule_(history, items[j], *train_);
    return {};
  }

 private:
  std::string arm_;
  ScoreRule rule_;
  Recorder* recorder_;
  const TrainData* train_ = nullptr;
};

inline void DestroyStub(void* instance) {
  delete static_cast<Recommender*>(instance);
}

// One stub per recommender name of the experiment: its rule and capabilities.
struct StubKind {
  ScoreRule rule;
  uint32_t capabilities = 0;
};

// A fitter creating the stub named by the arm's recommender, owned by a
// handle like a plugin's (no library behind it).
class StubFitter {
 public:
  StubFitter(std::map<std::string, StubKind> kinds, Recorder* recorder)
      : kinds_(std::move(kinds)), recorder_(recorder) {
    for (const auto& [name, kind] : kinds_) {
      auto info = std::make_unique<reclift::PluginInfo>(reclift::PluginInfo{
          reclift::kAbiVersion, reclift::kAbiTag, reclift::PluginKind::kRecommender, name.c_str(), "0.0.1",
          "stub", nullptr, 0, kind.capabilities, nullptr, &DestroyStub});
      infos_[name] = std::move(info);
    }
  }
  ArmFitter Fitter() {
    return [this](const ArmSpec& arm, const TrainData& train, const Context& ctx) {
      const StubKind& kind = kinds_.at(arm.recommender.plugin);
      auto* stub = new StubRecommender(arm.name, kind.rule, recorder_);
      FittedArm fitted;
      fitted.model = RecommenderHandle(nullptr, infos_.at(arm.recommender.plugin).get(), stub);
      fitted.plugin = arm.recommender.plugin + "@0.0.1";
      fitted.capabilities = kind.capabilities;
      const Status s = stub->Fit(train, Params{}, ctx);
      if (!s.ok()) throw Error("Fit failed: " + s.ToString());
      return fitted;
    };
  }

 private:
  std::map<std::string, StubKind> kinds_;
  std::map<std::string, std::unique_ptr<reclift::PluginInfo>> infos_;
  Recorder* recorder_;
};

// The built evaluator plugins (ranking, beyond_accuracy, ...).
inline const PluginRegistry& Evaluators() {
  static const PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    return r;
  }();
  return *registry;
}

// A dataset from (user, item, value, timestamp) rows; ids are "u<n>" / "i<n>".
struct Row {
  uint32_t user;
  uint32_t item;
  float value = 1.f;
  int64_t timestamp = 0;
};
inline Dataset MakeDataset(uint32_t num_users, uint32_t num_items, const std::vector<Row>& rows,
                           bool explicit_feedback, bool timestamps) {
  Dataset d;
  d.name = "hand-made";
  for (uint32_t u = 0; u < num_users; ++u) d.user_ids.push_back("u" + std::to_string(u));
  for (uint32_t i = 0; i < num_items; ++i) d.item_ids.push_back("i" + std::to_string(i));
  for (const Row& r : rows) {
    d.users.push_back(r.user);
    d.items.push_back(r.item);
    d.values.push_back(r.value);
    if (timestamps) d.timestamps.push_back(r.timestamp);
  }
  d.explicit_feedback = explicit_feedback;
  d.positive_threshold = explicit_feedback ? 4.0 : 0.0;
  return d;
}

// A split naming its train and test rows by position in `rows`.
inline Split MakeSplitOf(std::vector<uint64_t> train, std::vector<uint64_t> test) {
  Split s;
  s.train = std::move(train);
  s.test = std::move(test);
  return s;
}

}  // namespace scenario_test
