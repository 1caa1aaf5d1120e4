#include "runner/repeats.h"

#include <spdlog/spdlog.h>

#include <cmath>

#include "runner/arm.h"
#include "runner/cell_data.h"
#include "runner/metric_set.h"
#include "split/split.h"
#include "stats/stats.h"

namespace reclift::host {
namespace {

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

nlohmann::json Spread(const std::vector<double>& values, const std::vector<Cell>& cells, double alpha) {
  nlohmann::json j;
  j["values"] = nlohmann::json::array();
  std::vector<double> finite;
  for (double v : values) {
    j["values"].push_back(Num(v));
    if (std::isfinite(v)) finite.push_back(v);
  }
  j["mean"] = Num(finite.empty() ? NAN : stats::Mean(finite));
  if (finite.size() >= 2) {
    const auto ci = stats::MeanCi(finite, alpha);
    j["ci_low"] = Num(ci.low);
    j["ci_high"] = Num(ci.high);
  } else {
    j["ci_low"] = j["ci_high"] = nullptr;
  }
  // split variance: spread of the per-split means; seed variance: spread
  // across seeds within a split, averaged over splits
  std::map<std::pair<int, int>, std::vector<double>> by_split;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (std::isfinite(values[c])) by_split[{cells[c].split_repeat, cells[c].fold}].push_back(values[c]);
  }
  std::vector<double> split_means;
  double within = 0;
  size_t within_n = 0;
  for (const auto& [key, v] : by_split) {
    split_means.push_back(stats::Mean(v));
    if (v.size() >= 2) {
      const double sd = stats::StdDev(v);
      within += sd * sd;
      ++within_n;
    }
  }
  j["split_sd"] = Num(split_means.size() >= 2 ? stats::StdDev(split_means) : NAN);
  j["seed_sd"] = Num(within_n > 0 ? std::sqrt(within / static_cast<double>(within_n)) : NAN);
  return j;
}

}  // namespace

std::vector<Cell> ExperimentCells(const ExperimentSpec& spec) {
  std::vector<Cell> cells;
  for (int r = 0; r < spec.split_repeats; ++r) {
    for (int fold : FoldsToRun(spec.split)) {
      for (int s = 0; s < spec.seed_repeats; ++s)
        cells.push_back({r, fold, spec.seed + static_cast<uint64_t>(s)});
    }
  }
  return cells;
}

nlohmann::json RunRepeats(const ExperimentSpec& spec, const PluginRegistry& registry, const Dataset& data,
                          const std::vector<Cell>& cells,
                          const std::vector<std::vector<double>>& first_cell_means,
                          const std::vector<std::string>& columns, size_t control, tbb::task_arena& arena,
                          std::vector<std::string>& warnings) {
  const size_t arms = spec.arms.size(), nc = columns.size();
  // means[cell][arm][column]
  std::vector<std::vector<std::vector<double>>> means(cells.size());
  means[0] = first_cell_means;
  for (size_t c = 1; c < cells.size(); ++c) {
    SplitSpec ss = spec.split;
    ss.seed = spec.split.seed + static_cast<uint64_t>(cells[c].split_repeat);
    ss.fold = cells[c].fold;
    spdlog::info("repeat {}/{}: split {} fold {} seed {}", c + 1, cells.size(), cells[c].split_repeat,
                 cells[c].fold, cells[c].seed);
    const Split split = MakeSplit(data, ss);
    const CellData cell = BuildCellData(data, split);
    const TrainData& train = cell.train.view();
    const ItemFeaturesView features = train.item_features;
    const MetricSet metrics(registry, spec.evaluation, train.num_users, train.num_items, cell.item_popularity,
                            &features);
    means[c].assign(arms, std::vector<double>(nc, NAN));
    for (size_t a = 0; a < arms; ++a) {
      try {
        Context ctx{cells[c].seed, arena.max_concurrency(), nullptr, nullptr};
        FittedArm fitted = FitArm(registry, spec.arms[a], train, ctx, arena);
        const RankedLists ranked = RankTestUsers(fitted, train, cell.users, metrics.max_k(), arena);
        std::vector<double> values, list_values;
        Status s = metrics.Evaluate(EvalInputs(cell.users, ranked), arena, values, list_values);
        if (!s.ok()) throw Error(s.ToString());
        for (size_t col = 0; col < nc; ++col) {
          // columns are matched by name: a cell's evaluators declare the same ones
          size_t k = col;
          if (k >= metrics.size() || metrics.columns()[k].name != columns[col]) continue;
          if (metrics.columns()[k].aggregation == Aggregation::kListLevel) {
            means[c][a][col] = list_values[k];
            continue;
          }
          double sum = 0;
          size_t n = 0;
          for (size_t u = 0; u < cell.users.size(); ++u) {
            const double v = values[u * metrics.size() + k];
            if (!std::isnan(v)) sum += v, ++n;
          }
          means[c][a][col] = n > 0 ? sum / static_cast<double>(n) : NAN;
        }
      } catch (const std::exception& e) {
        warnings.push_back("repeat " + std::to_string(c) + ": arm " + spec.arms[a].name +
                           " failed: " + e.what());
      }
    }
  }
  nlohmann::json out;
  out["cells"] = nlohmann::json::array();
  for (const Cell& c : cells) {
    out["cells"].push_back({{"split_repeat", c.split_repeat}, {"fold", c.fold}, {"seed", c.seed}});
  }
  out["arms"] = nlohmann::json::object();
  out["lifts"] = nlohmann::json::object();
  for (size_t a = 0; a < arms; ++a) {
    for (size_t col = 0; col < nc; ++col) {
      std::vector<double> v(cells.size()), lift(cells.size());
      for (size_t c = 0; c < cells.size(); ++c) {
        v[c] = means[c][a][col];
        lift[c] = means[c][a][col] - means[c][control][col];
      }
      out["arms"][spec.arms[a].name][columns[col]] = Spread(v, cells, spec.ab.alpha);
      if (a != control) out["lifts"][spec.arms[a].name][columns[col]] = Spread(lift, cells, spec.ab.alpha);
    }
  }
  return out;
}

}  // namespace reclift::host
