#include "ope/estimate.h"

#include <tbb/parallel_for.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace reclift::host {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::string Fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

}  // namespace

TargetOnLogs EvaluateTarget(const LoggedFeedback& logs, const SlatePolicy& policy,
                            std::span<const double> user_scores) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  const size_t U = logs.user_ids.size();
  if (user_scores.size() != U * A) throw Error("EvaluateTarget: expected one score per log user and action");
  TargetOnLogs t;
  t.policy = policy;
  t.scores.assign(user_scores.begin(), user_scores.end());
  t.marginal.resize(U * A * K);
  tbb::parallel_for(size_t{0}, U, [&](size_t u) {
    SlateMarginals(policy, user_scores.subspan(u * A, A), K,
                   std::span<double>(t.marginal.data() + u * A * K, static_cast<size_t>(A) * K));
  });
  const size_t slots = static_cast<size_t>(logs.num_rounds) * K;
  t.propensity.assign(slots, 0.0);
  if (logs.has_prefix_propensity()) t.prefix_propensity.assign(slots, 0.0);
  tbb::parallel_for(uint32_t{0}, logs.num_rounds, [&](uint32_t r) {
    const size_t u = logs.round_user[r];
    std::vector<uint32_t> prefix;
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) continue;
      const uint32_t a = logs.item[slot];
      t.propensity[slot] = t.marginal[(u * A + a) * K + k];
      if (logs.has_prefix_propensity()) {
        prefix.push_back(a);
        t.prefix_propensity[slot] = PrefixProbability(policy, user_scores.subspan(u * A, A), prefix);
      }
    }
  });
  return t;
}

RewardModel FitItemPositionModel(const LoggedFeedback& logs, uint32_t folds, double prior_strength) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  if (folds == 0) folds = 1;
  RewardModel m;
  m.kind = "item-position";
  m.folds = folds;
  m.row_of_round.resize(logs.num_rounds);
  // per fold: clicks and shows of each (item, position), and per position
  std::vector<double> clicks(static_cast<size_t>(folds) * A * K, 0.0), shows(clicks.size(), 0.0);
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const uint32_t f = folds == 1 ? 0 : r % folds;
    m.row_of_round[r] = f;
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) continue;
      const size_t cell = (static_cast<size_t>(f) * A + logs.item[slot]) * K + k;
      clicks[cell] += logs.reward[slot];
      shows[cell] += 1;
    }
  }
  m.table.assign(clicks.size(), 0.0);
  for (uint32_t f = 0; f < folds; ++f) {
    // learn from every fold but f (from all when there is one fold)
    std::vector<double> c(static_cast<size_t>(A) * K, 0.0), s(c.size(), 0.0);
    for (uint32_t g = 0; g < folds; ++g) {
      if (folds > 1 && g == f) continue;
      for (size_t j = 0; j < c.size(); ++j) c[j] += clicks[g * c.size() + j], s[j] += shows[g * c.size() + j];
    }
    for (uint32_t k = 0; k < K; ++k) {
      double ck = 0, sk = 0;
      for (uint32_t a = 0; a < A; ++a) ck += c[a * K + k], sk += s[a * K + k];
      const double prior = sk > 0 ? ck / sk : 0.0;
      for (uint32_t a = 0; a < A; ++a) {
        const size_t j = static_cast<size_t>(a) * K + k;
        m.table[f * c.size() + j] = (c[j] + prior_strength * prior) / (s[j] + prior_strength);
      }
    }
  }
  return m;
}

RewardModel FitScoreModel(const LoggedFeedback& logs, std::span<const double> user_scores, uint32_t folds) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  const size_t U = logs.user_ids.size();
  if (folds == 0) folds = 1;
  for (size_t slot = 0; slot < logs.reward.size(); ++slot) {
    if (logs.shown(slot) && (logs.reward[slot] < 0 || logs.reward[slot] > 1)) {
      throw Error(
          "a reward model from an arm's scores needs rewards in [0, 1] (clicks, conversions); found " +
          std::to_string(logs.reward[slot]));
    }
  }
  // z: the scores standardised per user over the actions it can score
  std::vector<double> z(U * A, 0.0);
  for (size_t u = 0; u < U; ++u) {
    double mean = 0, sq = 0, n = 0;
    for (uint32_t a = 0; a < A; ++a) {
      const double x = user_scores[u * A + a];
      if (x > kNeverScore) mean += x, n += 1;
    }
    mean = n > 0 ? mean / n : 0.0;
    for (uint32_t a = 0; a < A; ++a) {
      const double x = user_scores[u * A + a];
      if (x > kNeverScore) sq += (x - mean) * (x - mean);
    }
    const double sd = n > 1 && sq > 0 ? std::sqrt(sq / (n - 1)) : 1.0;
    for (uint32_t a = 0; a < A; ++a) {
      const double x = user_scores[u * A + a];
      z[u * A + a] = x > kNeverScore ? (x - mean) / sd : -3.0;
    }
  }
  RewardModel m;
  m.kind = "arm-scores";
  m.folds = folds;
  m.row_of_round.resize(logs.num_rounds);
  m.table.assign(static_cast<size_t>(folds) * U * A * K, 0.0);
  const size_t P = K + 1;  // b_1..b_K, c
  for (uint32_t f = 0; f < folds; ++f) {
    std::vector<double> beta(P, 0.0);
    for (int iteration = 0; iteration < 25; ++iteration) {
      Eigen::MatrixXd H = Eigen::MatrixXd::Identity(P, P) * 1e-3;
      Eigen::VectorXd g = -1e-3 * Eigen::Map<Eigen::VectorXd>(beta.data(), P);
      for (uint32_t r = 0; r < logs.num_rounds; ++r) {
        if (folds > 1 && r % folds == f) continue;  // learn from the other folds
        const size_t u = logs.round_user[r];
        for (uint32_t k = 0; k < K; ++k) {
          const size_t slot = static_cast<size_t>(r) * K + k;
          if (!logs.shown(slot)) continue;
          const double x = z[u * A + logs.item[slot]];
          const double p = 1 / (1 + std::exp(-(beta[k] + beta[K] * x)));
          const double w = std::max(p * (1 - p), 1e-9), e = logs.reward[slot] - p;
          g(k) += e, g(K) += e * x;
          H(k, k) += w, H(k, K) += w * x, H(K, k) += w * x, H(K, K) += w * x * x;
        }
      }
      const Eigen::VectorXd step = H.ldlt().solve(g);
      for (size_t j = 0; j < P; ++j) beta[j] += step(j);
      if (step.norm() < 1e-10) break;
    }
    for (size_t u = 0; u < U; ++u) {
      for (uint32_t a = 0; a < A; ++a) {
        for (uint32_t k = 0; k < K; ++k) {
          m.table[((static_cast<size_t>(f) * U + u) * A + a) * K + k] =
              1 / (1 + std::exp(-(beta[k] + beta[K] * z[u * A + a])));
        }
      }
    }
  }
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const uint32_t f = folds == 1 ? 0 : r % folds;
    m.row_of_round[r] = static_cast<uint32_t>(f * U + logs.round_user[r]);
  }
  return m;
}

RewardModel OracleModel(const LoggedFeedback& logs) {
  if (!logs.has_truth()) {
    throw Error(
        "ope.reward_model = \"oracle\" needs simulated logs with known truth ([logged] format = "
        "\"synthetic\" or a truth file)");
  }
  RewardModel m;
  m.kind = "oracle";
  m.table = logs.truth;
  m.row_of_round = logs.round_user;
  return m;
}

LoggedFeedbackView EstimatorInputs::View() const {
  LoggedFeedbackView v;
  v.num_rounds = num_rounds;
  v.slate_size = slate_size;
  v.shown = shown;
  v.reward = reward;
  v.logging_propensity = logging_propensity;
  v.target_propensity = target_propensity;
  v.logging_prefix_propensity = logging_prefix;
  v.target_prefix_propensity = target_prefix;
  v.reward_hat = reward_hat;
  v.target_reward_hat = target_reward_hat;
  return v;
}

EstimatorInputs BuildEstimatorInputs(const LoggedFeedback& logs, const TargetOnLogs& target,
                                     const RewardModel* model) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  const size_t slots = static_cast<size_t>(logs.num_rounds) * K;
  EstimatorInputs in;
  in.num_rounds = logs.num_rounds;
  in.slate_size = K;
  in.shown.resize(slots);
  for (size_t s = 0; s < slots; ++s) in.shown[s] = logs.shown(s) ? 1 : 0;
  in.reward = logs.reward;
  in.logging_propensity = logs.propensity;
  in.target_propensity = target.propensity;
  if (logs.has_prefix_propensity()) {
    in.logging_prefix = logs.prefix_propensity;
    in.target_prefix = target.prefix_propensity;
  }
  if (model != nullptr) {
    in.reward_hat.assign(slots, 0.0);
    in.target_reward_hat.assign(slots, 0.0);
    tbb::parallel_for(uint32_t{0}, logs.num_rounds, [&](uint32_t r) {
      const size_t u = logs.round_user[r];
      for (uint32_t k = 0; k < K; ++k) {
        const size_t slot = static_cast<size_t>(r) * K + k;
        if (!logs.shown(slot)) continue;
        in.reward_hat[slot] = model->At(logs, r, logs.item[slot], k);
        double expected = 0;
        for (uint32_t a = 0; a < A; ++a)
          expected += target.marginal[(u * A + a) * K + k] * model->At(logs, r, a, k);
        in.target_reward_hat[slot] = expected;
      }
    });
  }
  return in;
}

std::vector<double> TrueValuePerRound(const LoggedFeedback& logs, const TargetOnLogs& target) {
  if (!logs.has_truth()) return {};
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  std::vector<double> out(logs.num_rounds, 0.0);
  if (logs.click_model == "cascade") {
    const size_t U = logs.user_ids.size();
    std::vector<double> of_user(U);
    tbb::parallel_for(size_t{0}, U, [&](size_t u) {
      std::vector<double> attraction(A);
      for (uint32_t a = 0; a < A; ++a) attraction[a] = logs.truth[(u * A + a) * K];
      of_user[u] = ExpectedCascadeReward(
          target.policy, std::span<const double>(target.scores).subspan(u * A, A), attraction, K);
    });
    for (uint32_t r = 0; r < logs.num_rounds; ++r) out[r] = of_user[logs.round_user[r]];
    return out;
  }
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const size_t u = logs.round_user[r];
    for (uint32_t k = 0; k < K; ++k) {
      if (!logs.shown(static_cast<size_t>(r) * K + k)) continue;
      for (uint32_t a = 0; a < A; ++a) {
        const size_t j = (u * A + a) * K + k;
        out[r] += target.marginal[j] * logs.truth[j];
      }
    }
  }
  return out;
}

std::vector<double> TrueLoggingValuePerRound(const LoggedFeedback& logs) {
  if (!logs.has_truth()) return {};
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  const bool cascade = logs.click_model == "cascade";
  std::vector<double> out(logs.num_rounds, 0.0);
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const size_t u = logs.round_user[r];
    double survive = 1;  // cascade: no click above
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) continue;
      const double q = logs.truth[(u * A + logs.item[slot]) * K + k];
      out[r] += cascade ? survive * q : q;
      survive *= 1 - q;
    }
  }
  return out;
}

namespace {
double MeanOf(const std::vector<double>& x) {
  if (x.empty()) return NAN;
  double total = 0;
  for (double v : x) total += v;
  return total / static_cast<double>(x.size());
}
}  // namespace

double TrueValue(const LoggedFeedback& logs, const TargetOnLogs& target) {
  return MeanOf(TrueValuePerRound(logs, target));
}

double TrueLoggingValue(const LoggedFeedback& logs) {
  return MeanOf(TrueLoggingValuePerRound(logs));
}

EstimatorTerms SubsetTerms(const EstimatorTerms& t, std::span<const uint32_t> rounds) {
  EstimatorTerms out;
  out.components = t.components;
  for (uint32_t r : rounds) {
    for (uint32_t c = 0; c < t.components; ++c) {
      out.num.push_back(t.num[static_cast<size_t>(r) * t.components + c]);
      out.den.push_back(t.den[static_cast<size_t>(r) * t.components + c]);
    }
  }
  return out;
}

WeightDiagnostics Diagnose(const LoggedFeedback& logs, const TargetOnLogs& target,
                           const EstimatorInputs& in) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  WeightDiagnostics d;
  std::vector<uint8_t> observed(static_cast<size_t>(A) * K, 0);
  double sum = 0, sq = 0, filled = 0, unsupported = 0;
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (logs.shown(slot)) observed[static_cast<size_t>(logs.item[slot]) * K + k] = 1;
    }
  }
  double slate_sum = 0, slate_sq = 0;
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    const size_t u = logs.round_user[r];
    double slate_w = NAN;
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) continue;
      const double w = in.target_propensity[slot] / in.logging_propensity[slot];
      sum += w, sq += w * w, filled += 1;
      d.max_weight = std::max(d.max_weight, w);
      for (uint32_t a = 0; a < A; ++a) {
        if (!observed[static_cast<size_t>(a) * K + k]) unsupported += target.marginal[(u * A + a) * K + k];
      }
      if (!in.logging_prefix.empty()) slate_w = in.target_prefix[slot] / in.logging_prefix[slot];
    }
    if (!std::isnan(slate_w)) {
      slate_sum += slate_w, slate_sq += slate_w * slate_w;
      d.slate_max_weight = std::isnan(d.slate_max_weight) ? slate_w : std::max(d.slate_max_weight, slate_w);
    }
  }
  d.ess = sq > 0 ? sum * sum / sq : 0.0;
  d.ess_share = filled > 0 ? d.ess / filled : 0.0;
  d.mean_weight = filled > 0 ? sum / filled : NAN;
  d.unsupported_share = filled > 0 ? unsupported / filled : 0.0;
  if (!in.logging_prefix.empty()) d.slate_ess = slate_sq > 0 ? slate_sum * slate_sum / slate_sq : 0.0;

  if (d.ess < 30 || d.ess_share < 0.01) {
    d.warnings.push_back("effective sample size " + Fixed(d.ess, 1) + " (" + Fixed(100 * d.ess_share, 2) +
                         "% of the logged positions): importance-weighted estimates rest on a few rounds");
  }
  if (!std::isnan(d.slate_ess) && (d.slate_ess < 30 || d.slate_ess < 0.01 * logs.num_rounds)) {
    d.warnings.push_back("whole-slate effective sample size " + Fixed(d.slate_ess, 1) +
                         ": the slate estimators (slate_rips, slate_sips) rest on a few rounds");
  }
  if (d.unsupported_share > 0.01) {
    d.warnings.push_back(Fixed(100 * d.unsupported_share, 1) +
                         "% of the target's mass is on (item, position) pairs the logs never show: "
                         "importance-weighted estimates miss that part of its value");
  }
  if (filled >= 1000 && std::abs(d.mean_weight - 1) > 0.1 && d.unsupported_share <= 0.01) {
    d.warnings.push_back("mean importance weight " + Fixed(d.mean_weight, 3) +
                         " is far from 1: the logged propensities may be wrong");
  }
  d.trustworthy = d.warnings.empty();
  return d;
}

double RatioEstimate(const EstimatorTerms& t) {
  const uint32_t c = t.components;
  const size_t rounds = c == 0 ? 0 : t.num.size() / c;
  double value = 0;
  for (uint32_t j = 0; j < c; ++j) {
    double n = 0, d = 0;
    for (size_t r = 0; r < rounds; ++r) n += t.num[r * c + j], d += t.den[r * c + j];
    if (d == 0) return NAN;
    value += n / d;
  }
  return value;
}

EstimatorTerms OnPolicyTerms(const LoggedFeedback& logs) {
  EstimatorTerms t;
  t.num.assign(logs.num_rounds, 0.0);
  t.den.assign(logs.num_rounds, 1.0);
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    for (uint32_t k = 0; k < logs.slate_size; ++k)
      t.num[r] += logs.reward[static_cast<size_t>(r) * logs.slate_size + k];
  }
  return t;
}

std::vector<double> BootstrapEstimates(std::span<const EstimatorTerms* const> sets, uint32_t rounds,
                                       int samples, uint64_t seed) {
  const size_t S = sets.size();
  std::vector<double> out(static_cast<size_t>(samples) * S, NAN);
  if (rounds == 0) return out;
  tbb::parallel_for(0, samples, [&](int b) {
    uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (static_cast<uint64_t>(b) + 1));
    std::vector<uint32_t> count(rounds, 0);
    for (uint32_t i = 0; i < rounds; ++i) {
      const uint64_t x = SplitMix64(state);
      ++count[static_cast<uint32_t>((static_cast<unsigned __int128>(x) * rounds) >> 64)];
    }
    for (size_t s = 0; s < S; ++s) {
      const EstimatorTerms& t = *sets[s];
      const uint32_t c = t.components;
      double value = 0;
      for (uint32_t j = 0; j < c && !std::isnan(value); ++j) {
        double n = 0, d = 0;
        for (uint32_t r = 0; r < rounds; ++r) {
          if (count[r] == 0) continue;
          n += count[r] * t.num[static_cast<size_t>(r) * c + j];
          d += count[r] * t.den[static_cast<size_t>(r) * c + j];
        }
        value = d == 0 ? NAN : value + n / d;
      }
      out[static_cast<size_t>(b) * S + s] = value;
    }
  });
  return out;
}

double Quantile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double x) { return !std::isfinite(x); }),
               values.end());
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double h = (static_cast<double>(values.size()) - 1) * q;
  const size_t lo = static_cast<size_t>(std::floor(h));
  const size_t hi = std::min(lo + 1, values.size() - 1);
  return values[lo] + (h - static_cast<double>(lo)) * (values[hi] - values[lo]);
}

}  // namespace reclift::host
