#include "runner/repeats.h"

#include <cmath>
#include <map>

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

nlohmann::json SummariseRepeats(const ExperimentSpec& spec, const std::vector<Cell>& cells,
                                const std::vector<std::vector<std::vector<double>>>& means,
                                const std::vector<std::string>& columns, size_t control) {
  const size_t arms = spec.arms.size(), nc = columns.size();
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
