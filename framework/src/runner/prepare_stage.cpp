// The load and prepare stages: the dataset once, then each split group.
#include <spdlog/spdlog.h>

#include <chrono>
#include <map>

#include "engine/run_logger.h"
#include "runner/arm.h"
#include "runner/candidates.h"
#include "runner/stages.h"
#include "util/error.h"

namespace reclift::host {

LoadedData LoadStage(const RunEnv& env) {
  const ExperimentSpec& spec = env.spec;
  spdlog::info("loading dataset ({})", spec.dataset.format);
  const auto t0 = std::chrono::steady_clock::now();
  LoadedData out;
  // LoadDataset reads every format, the synthetic generator included, and
  // applies the positive threshold
  out.data = env.arena.execute([&] { return LoadDataset(spec.dataset, &out.report); });
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& note : out.report.notes) spdlog::info("dataset: {}", note);
  spdlog::info("dataset: {} users, {} items, {} interactions in {:.2f} s", out.data.num_users(),
               out.data.num_items(), out.data.size(), out.seconds);
  return out;
}

namespace {

size_t LargestGrid(const ExperimentSpec& spec) {
  size_t largest = 1;  // arms of one grid share their [[arms]] table's location
  std::map<std::pair<int, int>, size_t> per_table;
  for (const ArmSpec& a : spec.arms) largest = std::max(largest, ++per_table[{a.where.line, a.where.column}]);
  return largest;
}

void RunProfilers(const RunEnv& env, PreparedGroup& g) {
  const TrainData& train = g.cell.train.view();
  for (const auto& use : env.spec.profilers) {
    ProfilerHandle prof = env.registry.CreateProfiler(use.plugin);
    Params params;
    Status s = Params::Build(prof.info().param_specs(), use.params, params);
    if (!s.ok()) throw Error(use.where, "profiler '" + use.plugin + "': " + s.message());
    RunLogger logger("profiler " + use.plugin + ": ");
    Context ctx{env.spec.seed, env.threads, &logger, nullptr};
    std::vector<std::string> names;
    std::vector<uint32_t> of_all(train.num_users, 0);
    s = env.arena.execute([&] {
      Status st = prof->Fit(train, params, ctx);
      return st.ok() ? prof->Segments(names, of_all) : st;
    });
    if (!s.ok()) {
      const std::string msg = "profiler '" + use.plugin + "' failed and is left out: " + s.ToString();
      spdlog::error("{}", msg);
      env.warnings.push_back(msg);
      continue;
    }
    Segmentation seg{use.plugin, names, {}};
    std::vector<size_t> counts(names.size(), 0);
    for (const auto& ut : g.cell.users) {
      const uint32_t k = of_all[ut.user] < names.size() ? of_all[ut.user] : 0;
      seg.of_user.push_back(k);
      ++counts[k];
    }
    g.profilers.push_back(
        {{"name", use.plugin}, {"plugin", PluginId(prof.info())}, {"segments", names}, {"users", counts}});
    g.segmentations.push_back(std::move(seg));
  }
}

}  // namespace

PreparedGroup PrepareStage(const RunEnv& env, const Dataset& data, size_t group, bool main) {
  const ExperimentSpec& spec = env.spec;
  PreparedGroup g;
  g.split_spec = env.plan.groups[group].split;
  g.split = MakeSplit(data, g.split_spec);
  for (const auto& note : g.split.notes) spdlog::info("split: {}", note);
  g.leakage = CheckLeakage(data, g.split, g.split_spec, LargestGrid(spec));
  if (main) {
    for (const auto& f : g.leakage.findings) {
      spdlog::warn("leakage ({}): {}", f.kind, f.message);
      env.warnings.push_back("leakage (" + f.kind + "): " + f.message);
    }
  }
  EnforceLeakagePolicy(g.leakage, g.split_spec);
  g.cell = BuildCellData(data, g.split);
  spdlog::info(
      "split ({}, repeat {}, fold {}): {} train, {} test interactions; {} test users, {} with "
      "relevant test items",
      spec.split.method, env.plan.groups[group].split_repeat, env.plan.groups[group].fold,
      g.split.train.size(), g.split.test.size(), g.cell.users.size(), g.cell.users_with_relevant);
  if (g.cell.users_with_relevant == 0) {
    throw Error(spec.split.where.count("method") ? spec.split.where.at("method") : SourceLocation{},
                "no user has a relevant test item after the split; check split.test_fraction and "
                "dataset.positive_threshold");
  }
  RunProfilers(env, g);
  const uint32_t num_items = g.cell.train.view().num_items;
  if (spec.evaluation.candidates == "sampled") {
    g.candidates = SampleCandidates(g.cell, num_items, spec.evaluation.negatives, spec.seed);
    if (main) {
      env.warnings.push_back("sampled evaluation: each user ranks its test items among " +
                             std::to_string(spec.evaluation.negatives) +
                             " random negatives; the metrics are not comparable to full ranking");
    }
  } else if (spec.evaluation.candidates == "file") {
    g.candidates = LoadCandidates(spec.evaluation.candidates_file, data, g.cell);
  }
  if (spec.ab.assignment == "bucketed") {
    // every user is hashed into one arm, like an online test
    g.bucket_of = AssignBuckets(g.cell, data, spec.arms.size(), spec.ab.weights, spec.seed);
  }
  return g;
}

}  // namespace reclift::host
