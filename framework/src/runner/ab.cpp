#include "runner/ab.h"

#include <tbb/parallel_for.h>

#include <cmath>
#include <functional>

#include "stats/stats.h"

namespace reclift::host {
namespace {

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

uint64_t Mix(uint64_t seed, const std::string& s) {
  uint64_t h = seed ^ 0x9e3779b97f4a7c15ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

struct Pending {
  nlohmann::json row;
  double p = 1;
  double lift = 0;
  bool higher_is_better = true;
  size_t family = 0;
};

}  // namespace

nlohmann::json SummariseColumn(const std::vector<double>& values, size_t num_columns, size_t column,
                               const std::vector<uint32_t>* subset, double alpha) {
  std::vector<double> x;
  const size_t users = num_columns == 0 ? 0 : values.size() / num_columns;
  auto take = [&](size_t u) {
    const double v = values[u * num_columns + column];
    if (!std::isnan(v)) x.push_back(v);
  };
  if (subset != nullptr) {
    for (uint32_t u : *subset) take(u);
  } else {
    for (size_t u = 0; u < users; ++u) take(u);
  }
  nlohmann::json j;
  const double mean = x.empty() ? NAN : stats::Mean(x);
  j["mean"] = Num(mean);
  if (x.size() >= 2) {
    const auto ci = stats::MeanCi(x, alpha);
    j["ci_low"] = Num(ci.low);
    j["ci_high"] = Num(ci.high);
  } else {
    j["ci_low"] = nullptr;
    j["ci_high"] = nullptr;
  }
  j["n"] = x.size();
  return j;
}

nlohmann::json CompareArms(const std::vector<ArmValues>& arms, size_t control,
                           const std::vector<MetricColumn>& columns, size_t num_users,
                           const std::vector<Segmentation>& segments, const AbSpec& ab, uint64_t seed,
                           std::vector<std::string>& warnings) {
  std::vector<Pending> pending;
  const size_t nc = columns.size();
  // populations: all users, then each (profiler, segment)
  struct Population {
    std::string profiler, segment;
    std::vector<uint32_t> users;
  };
  std::vector<Population> populations;
  {
    Population all;
    all.users.resize(num_users);
    for (size_t u = 0; u < num_users; ++u) all.users[u] = static_cast<uint32_t>(u);
    populations.push_back(std::move(all));
  }
  for (const auto& s : segments) {
    for (size_t g = 0; g < s.names.size(); ++g) {
      Population p{s.profiler, s.names[g], {}};
      for (size_t u = 0; u < num_users; ++u) {
        if (s.of_user[u] == g) p.users.push_back(static_cast<uint32_t>(u));
      }
      if (!p.users.empty()) populations.push_back(std::move(p));
    }
  }
  const ArmValues& c = arms[control];
  struct Job {
    size_t pop, t, col;
  };
  std::vector<Job> jobs;
  for (size_t pop = 0; pop < populations.size(); ++pop) {
    for (size_t t = 0; t < arms.size(); ++t) {
      if (t == control || !arms[t].ok) continue;
      for (size_t col = 0; col < nc; ++col) {
        if (columns[col].aggregation == Aggregation::kMeanOverUsers) jobs.push_back({pop, t, col});
      }
    }
  }
  pending.resize(jobs.size());
  // each comparison has its own seeded stream: the same results for any thread count
  tbb::parallel_for(size_t{0}, jobs.size(), [&](size_t j) {
    const auto [pop, t, col] = jobs[j];
    const auto& P = populations[pop];
    std::vector<double> cv, tv, diffs;
    for (uint32_t u : P.users) {
      const double a = (*c.values)[u * nc + col], b = (*arms[t].values)[u * nc + col];
      if (std::isnan(a) || std::isnan(b)) continue;
      cv.push_back(a);
      tv.push_back(b);
      diffs.push_back(b - a);
    }
    nlohmann::json row;
    row["treatment"] = arms[t].name;
    row["metric"] = columns[col].name;
    row["profiler"] = P.profiler.empty() ? nlohmann::json(nullptr) : nlohmann::json(P.profiler);
    row["segment"] = P.segment.empty() ? nlohmann::json(nullptr) : nlohmann::json(P.segment);
    row["n"] = diffs.size();
    const double cm = cv.empty() ? NAN : stats::Mean(cv), tm = tv.empty() ? NAN : stats::Mean(tv);
    const double lift = tm - cm;
    row["control_mean"] = Num(cm);
    row["treatment_mean"] = Num(tm);
    row["lift"] = Num(lift);
    const auto tt = stats::PairedTTest(diffs);
    const auto w = stats::WilcoxonSignedRank(diffs);
    stats::LiftIntervals li;
    li.absolute = {NAN, NAN};
    li.relative = {NAN, NAN};
    if (diffs.size() >= 2) {
      li = stats::BootstrapPairedLift(
          cv, tv, ab.alpha, ab.bootstrap_samples,
          Mix(seed, arms[t].name + "|" + columns[col].name + "|" + P.profiler + "|" + P.segment));
    }
    row["lift_ci_low"] = Num(li.absolute.low);
    row["lift_ci_high"] = Num(li.absolute.high);
    row["relative_lift"] = Num(cm != 0 ? lift / cm : NAN);
    row["relative_lift_ci_low"] = Num(li.relative.low);
    row["relative_lift_ci_high"] = Num(li.relative.high);
    row["t_statistic"] = Num(tt.statistic);
    row["p_value_t"] = Num(tt.p_value);
    row["p_value_wilcoxon"] = Num(w.p_value);
    row["effect_size"] = Num(diffs.size() >= 2 ? stats::CohensDz(diffs) : NAN);
    pending[j] = Pending{std::move(row), std::isnan(tt.p_value) ? 1.0 : tt.p_value, lift,
                         columns[col].higher_is_better, pop};
  });
  // corrections within each population's family
  for (size_t pop = 0; pop < populations.size(); ++pop) {
    std::vector<size_t> idx;
    std::vector<double> p;
    for (size_t i = 0; i < pending.size(); ++i) {
      if (pending[i].family == pop) {
        idx.push_back(i);
        p.push_back(pending[i].p);
      }
    }
    std::vector<double> adj = p;
    if (ab.correction == "holm") adj = stats::HolmAdjust(p);
    if (ab.correction == "bh") adj = stats::BenjaminiHochbergAdjust(p);
    for (size_t j = 0; j < idx.size(); ++j) {
      auto& r = pending[idx[j]];
      r.row["p_value_adjusted"] = Num(adj[j]);
      r.row["verdict"] = stats::Verdict(adj[j], r.lift, ab.alpha, r.higher_is_better);
    }
  }
  // reversals: an overall verdict and a segment verdict pointing opposite ways
  for (const auto& overall : pending) {
    if (overall.family != 0) continue;
    const std::string ov = overall.row["verdict"];
    if (ov == "no detectable difference") continue;
    for (const auto& seg : pending) {
      if (seg.family == 0 || seg.row["treatment"] != overall.row["treatment"] ||
          seg.row["metric"] != overall.row["metric"]) {
        continue;
      }
      const std::string sv = seg.row["verdict"];
      if ((ov == "better" && sv == "worse") || (ov == "worse" && sv == "better")) {
        warnings.push_back("reversal: " + overall.row["treatment"].get<std::string>() + " is " + ov +
                           " than control on " + overall.row["metric"].get<std::string>() + " overall but " +
                           sv + " in segment " + seg.row["profiler"].get<std::string>() + "/" +
                           seg.row["segment"].get<std::string>() +
                           " (Simpson's paradox: read the segment breakdown)");
      }
    }
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto& r : pending) out.push_back(std::move(r.row));
  return out;
}

}  // namespace reclift::host
