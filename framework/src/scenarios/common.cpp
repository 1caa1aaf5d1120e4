#include "scenarios/common.h"

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numeric>

#include "eval/ranker.h"
#include "stats/stats.h"
#include "util/error.h"

namespace reclift::host {

ArmFitter RegistryFitter(const PluginRegistry& registry, tbb::task_arena& arena) {
  return [&registry, &arena](const ArmSpec& arm, const TrainData& train, const Context& ctx) {
    return FitArm(registry, arm, train, ctx, arena);
  };
}

std::vector<const ArmSpec*> ScenarioArms(const ExperimentSpec& spec, const ScenarioSpec& scenario) {
  std::vector<const ArmSpec*> arms;
  for (const ArmSpec& arm : spec.arms) {
    if (scenario.arms.empty() ||
        std::find(scenario.arms.begin(), scenario.arms.end(), arm.name) != scenario.arms.end()) {
      arms.push_back(&arm);
    }
  }
  return arms;
}

bool IsRelevant(const Dataset& data, float value) {
  return !data.explicit_feedback || value >= data.positive_threshold;
}

OwnedTrainData BuildTrainView(const Dataset& data, std::span<const uint64_t> indices) {
  const size_t n = indices.size();
  std::vector<uint32_t> users(n), items(n);
  std::vector<float> values(n);
  std::vector<int64_t> timestamps(data.has_timestamps() ? n : 0);
  for (size_t e = 0; e < n; ++e) {
    const uint64_t i = indices[e];
    users[e] = data.users[i];
    items[e] = data.items[i];
    values[e] = data.values[i];
    if (data.has_timestamps()) timestamps[e] = data.timestamps[i];
  }
  OwnedTrainData train = OwnedTrainData::Build(data.num_users(), data.num_items(), users, items, values,
                                               timestamps, data.explicit_feedback);
  train.SetItemFeatures(data.item_features);
  return train;
}

std::vector<float> ItemPopularity(const TrainData& train) {
  std::vector<float> popularity(train.num_items);
  for (uint32_t i = 0; i < train.num_items; ++i) popularity[i] = static_cast<float>(train.by_item.RowSize(i));
  return popularity;
}

ScoredLists RankQueries(const FittedArm& arm, uint32_t num_items, std::span<const RankQuery> queries,
                        bool fold_in, size_t k, tbb::task_arena& arena) {
  ScoredLists out;
  out.lists.assign(queries.size(), {});
  out.scores.assign(queries.size(), {});
  const bool batch = !fold_in && (arm.capabilities & kCapScoreBatch);
  const size_t block = fold_in ? 32 : 256;
  const size_t num_blocks = (queries.size() + block - 1) / block;
  std::vector<uint32_t> all_items(num_items);
  std::iota(all_items.begin(), all_items.end(), 0u);

  std::mutex error_mutex;
  size_t error_block = SIZE_MAX;
  Status first_error;
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, num_blocks, [&](size_t b) {
      const size_t begin = b * block, end = std::min(queries.size(), begin + block);
      std::vector<float> scores((end - begin) * num_items);
      Status s;
      if (batch) {
        std::vector<uint32_t> users;
        for (size_t q = begin; q < end; ++q) users.push_back(queries[q].user);
        s = arm.model->ScoreBatch(users, scores);
      } else {
        for (size_t q = begin; q < end && s.ok(); ++q) {
          std::span<float> row(scores.data() + (q - begin) * num_items, num_items);
          s = fold_in ? arm.model->ScoreHistory(queries[q].history_items, queries[q].history_values,
                                                all_items, row)
                      : arm.model->Score(queries[q].user, all_items, row);
        }
      }
      for (size_t q = begin; q < end && s.ok(); ++q) {
        const float* row = scores.data() + (q - begin) * num_items;
        for (uint32_t j = 0; j < num_items; ++j) {
          if (!std::isfinite(row[j])) {
            s = Status::Internal("non-finite score " + std::to_string(row[j]) + " for " +
                                 (fold_in ? "a fold-in user" : "user " + std::to_string(queries[q].user)) +
                                 ", item " + std::to_string(j));
            break;
          }
        }
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (b < error_block) {  // the first block's error, whatever the schedule
          error_block = b;
          first_error = s;
        }
        return;
      }
      for (size_t q = begin; q < end; ++q) {
        std::span<const float> row(scores.data() + (q - begin) * num_items, num_items);
        TopK(row, queries[q].exclude, k, out.lists[q]);
        out.scores[q].reserve(out.lists[q].size());
        for (uint32_t item : out.lists[q]) out.scores[q].push_back(row[item]);
      }
    });
  });
  if (!first_error.ok()) {
    throw Error(std::string(fold_in ? "fold-in scoring" : "scoring") + " failed: " + first_error.ToString());
  }
  return out;
}

nlohmann::json JsonNumber(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

nlohmann::json Summary(std::span<const double> values, double alpha) {
  std::vector<double> x;
  for (double v : values) {
    if (std::isfinite(v)) x.push_back(v);
  }
  nlohmann::json j;
  j["mean"] = x.empty() ? nlohmann::json(nullptr) : JsonNumber(stats::Mean(x));
  if (x.size() >= 2) {
    const auto ci = stats::MeanCi(x, alpha);
    j["ci_low"] = JsonNumber(ci.low);
    j["ci_high"] = JsonNumber(ci.high);
  } else {
    j["ci_low"] = nullptr;
    j["ci_high"] = nullptr;
  }
  j["n"] = x.size();
  return j;
}

void ScenarioLogger::Log(LogLevel level, const std::string& message) const {
  switch (level) {
    case LogLevel::kDebug: spdlog::debug("{}{}", prefix_, message); break;
    case LogLevel::kInfo: spdlog::info("{}{}", prefix_, message); break;
    case LogLevel::kWarn: spdlog::warn("{}{}", prefix_, message); break;
    case LogLevel::kError: spdlog::error("{}{}", prefix_, message); break;
  }
}

}  // namespace reclift::host
