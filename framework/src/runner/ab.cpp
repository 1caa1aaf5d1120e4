#include "runner/ab.h"

#include <tbb/parallel_for.h>

#include <algorithm>
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
  bool directional = true;
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
    const bool paired = ab.assignment != "bucketed";
    std::vector<double> cv, tv, diffs;
    for (uint32_t u : P.users) {
      const double a = (*c.values)[u * nc + col], b = (*arms[t].values)[u * nc + col];
      if (paired) {
        if (std::isnan(a) || std::isnan(b)) continue;
        cv.push_back(a);
        tv.push_back(b);
        diffs.push_back(b - a);
      } else {  // bucketed: each user saw one arm; the other side is NaN
        if (!std::isnan(a)) cv.push_back(a);
        if (!std::isnan(b)) tv.push_back(b);
      }
    }
    nlohmann::json row;
    row["treatment"] = arms[t].name;
    row["metric"] = columns[col].name;
    row["profiler"] = P.profiler.empty() ? nlohmann::json(nullptr) : nlohmann::json(P.profiler);
    row["segment"] = P.segment.empty() ? nlohmann::json(nullptr) : nlohmann::json(P.segment);
    const double cm = cv.empty() ? NAN : stats::Mean(cv), tm = tv.empty() ? NAN : stats::Mean(tv);
    const double lift = tm - cm;
    row["control_mean"] = Num(cm);
    row["treatment_mean"] = Num(tm);
    row["lift"] = Num(lift);
    row["relative_lift"] = Num(cm != 0 ? lift / cm : NAN);
    const uint64_t stream =
        Mix(seed, arms[t].name + "|" + columns[col].name + "|" + P.profiler + "|" + P.segment);
    stats::LiftIntervals li;
    li.absolute = {NAN, NAN};
    li.relative = {NAN, NAN};
    double p_value = 1;
    if (paired) {
      row["n"] = diffs.size();
      const auto tt = stats::PairedTTest(diffs);
      const auto w = stats::WilcoxonSignedRank(diffs);
      if (diffs.size() >= 2) li = stats::BootstrapPairedLift(cv, tv, ab.alpha, ab.bootstrap_samples, stream);
      row["t_statistic"] = Num(tt.statistic);
      row["p_value_t"] = Num(tt.p_value);
      row["p_value_wilcoxon"] = Num(w.p_value);
      row["effect_size"] = Num(diffs.size() >= 2 ? stats::CohensDz(diffs) : NAN);
      p_value = tt.p_value;
    } else {
      row["n"] = cv.size() + tv.size();
      row["n_control"] = cv.size();
      row["n_treatment"] = tv.size();
      const auto welch = stats::WelchTTest(tv, cv);
      const auto mw = stats::MannWhitneyU(tv, cv);
      if (cv.size() >= 2 && tv.size() >= 2) {
        li = stats::BootstrapIndependentLift(cv, tv, ab.alpha, ab.bootstrap_samples, stream);
      }
      // Cohen's d with the pooled standard deviation, and the smallest
      // absolute effect these group sizes could detect at the configured power
      double pooled = NAN;
      if (cv.size() >= 2 && tv.size() >= 2) {
        const double sc = stats::StdDev(cv), st = stats::StdDev(tv);
        pooled =
            std::sqrt(((cv.size() - 1) * sc * sc + (tv.size() - 1) * st * st) / (cv.size() + tv.size() - 2));
      }
      row["t_statistic"] = Num(welch.statistic);
      row["p_value_t"] = Num(welch.p_value);
      row["p_value_mann_whitney"] = Num(mw.p_value);
      row["effect_size"] = Num(pooled > 0 ? lift / pooled : NAN);
      row["minimum_detectable_effect"] =
          Num(pooled > 0 ? stats::MinimumDetectableEffect(cv.size(), tv.size(), pooled, ab.alpha, ab.power)
                         : NAN);
      p_value = welch.p_value;
    }
    row["lift_ci_low"] = Num(li.absolute.low);
    row["lift_ci_high"] = Num(li.absolute.high);
    row["relative_lift_ci_low"] = Num(li.relative.low);
    row["relative_lift_ci_high"] = Num(li.relative.high);
    pending[j] = Pending{std::move(row),
                         std::isnan(p_value) ? 1.0 : p_value,
                         lift,
                         columns[col].higher_is_better,
                         pop,
                         columns[col].directional};
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
      r.row["verdict"] = stats::Verdict(adj[j], r.lift, ab.alpha, r.higher_is_better, r.directional);
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

std::vector<uint32_t> AssignBuckets(const CellData& cell, const Dataset& data, size_t arms,
                                    const std::vector<double>& weights, uint64_t seed) {
  std::vector<double> cumulative(arms);
  double total = 0;
  for (size_t a = 0; a < arms; ++a) {
    total += weights.empty() ? 1.0 : weights[a];
    cumulative[a] = total;
  }
  std::vector<uint32_t> bucket(cell.users.size());
  for (size_t u = 0; u < cell.users.size(); ++u) {
    // a stable hash of the original id: the same user lands in the same arm
    // whatever the dataset's internal order
    uint64_t h = Mix(seed, data.user_ids[cell.users[u].user]);
    h ^= h >> 31;  // finish the mix: the multiplicative hash leaves the high bits weak
    h *= 0x94d049bb133111ebull;
    h ^= h >> 29;
    const double x = static_cast<double>(h >> 11) * 0x1.0p-53 * total;
    bucket[u] =
        static_cast<uint32_t>(std::upper_bound(cumulative.begin(), cumulative.end(), x) - cumulative.begin());
    if (bucket[u] >= arms) bucket[u] = static_cast<uint32_t>(arms - 1);
  }
  return bucket;
}

nlohmann::json SampleRatio(const std::vector<ArmRunView>& arms, const std::vector<double>& weights,
                           size_t num_columns, size_t primary_column, std::vector<std::string>& warnings) {
  std::vector<size_t> observed;
  std::vector<double> expected;
  nlohmann::json per_arm = nlohmann::json::array();
  for (size_t a = 0; a < arms.size(); ++a) {
    if (!arms[a].ok) continue;  // a failed arm has no users to count
    size_t n = 0;
    const auto& v = *arms[a].values;
    for (size_t u = 0; u * num_columns < v.size(); ++u) n += !std::isnan(v[u * num_columns + primary_column]);
    observed.push_back(n);
    expected.push_back(weights.empty() ? 1.0 : weights[a]);
    per_arm.push_back({{"arm", arms[a].name}, {"users", n}, {"weight", expected.back()}});
  }
  nlohmann::json out = {{"arms", per_arm}};
  if (observed.size() < 2) return out;
  const auto srm = stats::SampleRatioMismatch(observed, expected);
  out["chi_square"] = Num(srm.statistic);
  out["p_value"] = Num(srm.p_value);
  out["mismatch"] = srm.p_value < 0.001;
  if (srm.p_value < 0.001) {
    warnings.push_back(
        "sample ratio mismatch: the arms' user counts differ from the configured weights (chi-square p = " +
        std::to_string(srm.p_value) + "); the comparison may be biased");
  }
  return out;
}

}  // namespace reclift::host
