#include "ope/ope.h"

#include <spdlog/spdlog.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "ope/logged_reader.h"
#include "ope/simulator.h"
#include "runner/arm.h"
#include "stats/stats.h"
#include "util/error.h"

namespace reclift::host {
namespace {

using nlohmann::json;

// Scores below every real one: items the training data never saw.
constexpr double kUnknownItemScore = -1e30;

struct Interval {
  double low = NAN, high = NAN, se = NAN;
};

Interval Percentiles(const std::vector<double>& samples, double alpha) {
  Interval out;
  out.low = Quantile(samples, alpha / 2);
  out.high = Quantile(samples, 1 - alpha / 2);
  std::vector<double> finite;
  for (double x : samples) {
    if (std::isfinite(x)) finite.push_back(x);
  }
  out.se = stats::StdDev(finite);
  return out;
}

std::vector<double> Column(const std::vector<double>& boot, size_t sets, size_t s) {
  std::vector<double> out(boot.size() / sets);
  for (size_t b = 0; b < out.size(); ++b) out[b] = boot[b * sets + s];
  return out;
}

// Which estimator needs what, from the plugin's declared capabilities.
std::string MissingInput(uint32_t capabilities, const EstimatorContext& ctx) {
  if ((capabilities & kEstNeedsRewardModel) && !ctx.has_reward_model) return "it needs a reward model";
  if ((capabilities & kEstNeedsPrefixPropensity) && !ctx.has_prefix_propensity) {
    return "it needs slate (prefix) propensities, which these logs do not carry";
  }
  return "";
}

}  // namespace

// The evaluation logs must not be training data of the target policies:
// counts logged rewarded rows whose (user, item, time) is an interaction of
// [dataset], and interactions of [dataset] after the first logged round.
json CheckLoggedLeakage(const LoggedFeedback& logs, const Dataset& data, std::vector<std::string>& warnings) {
  if (logs.round_time.empty() || !data.has_timestamps()) {
    return {
        {"checked", false},
        {"reason", logs.round_time.empty() ? "the logs have no timestamps" : "[dataset] has no timestamps"}};
  }
  std::unordered_map<std::string, uint32_t> user_of, item_of;
  for (uint32_t u = 0; u < data.num_users(); ++u) user_of.emplace(data.user_ids[u], u);
  for (uint32_t i = 0; i < data.num_items(); ++i) item_of.emplace(data.item_ids[i], i);
  std::unordered_map<uint64_t, std::vector<int64_t>> logged;  // (user, item) -> times of rewarded rows
  int64_t first = std::numeric_limits<int64_t>::max();
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    first = std::min(first, logs.round_time[r]);
    auto u = user_of.find(logs.user_ids[logs.round_user[r]]);
    if (u == user_of.end()) continue;
    for (uint32_t k = 0; k < logs.slate_size; ++k) {
      const size_t slot = static_cast<size_t>(r) * logs.slate_size + k;
      if (!logs.shown(slot) || logs.reward[slot] == 0) continue;
      auto i = item_of.find(logs.action_ids[logs.item[slot]]);
      if (i == item_of.end()) continue;
      logged[(static_cast<uint64_t>(u->second) << 32) | i->second].push_back(logs.round_time[r]);
    }
  }
  size_t in_training = 0, after = 0;
  for (size_t j = 0; j < data.size(); ++j) {
    after += data.timestamps[j] >= first;
    auto it = logged.find((static_cast<uint64_t>(data.users[j]) << 32) | data.items[j]);
    if (it != logged.end() && std::count(it->second.begin(), it->second.end(), data.timestamps[j]) > 0) {
      ++in_training;
    }
  }
  if (in_training > 0) {
    warnings.push_back("ope, leakage: " + std::to_string(in_training) +
                       " rewarded logged rows are interactions of [dataset] (same user, item and time): the "
                       "target policies were trained on the feedback they are evaluated on");
  }
  if (after > 0) {
    warnings.push_back("ope, leakage: " + std::to_string(after) +
                       " interactions of [dataset] are at or after the "
                       "first logged round: the target policies know the future of the logs");
  }
  return {{"checked", true}, {"logged_rows_in_training", in_training}, {"training_after_first_round", after}};
}

LoggedFeedback LoadLoggedFeedback(const LoggedSpec& spec, const Dataset& data) {
  if (spec.format == "synthetic") {
    LoggedSimOptions o;
    o.rounds = spec.rounds;
    o.slate_size = spec.slate_size == 0 ? 3 : spec.slate_size;
    o.actions = spec.actions;
    o.logging_policy = spec.logging_policy;
    o.temperature = spec.temperature;
    o.epsilon = spec.epsilon;
    o.position_decay = spec.position_decay;
    o.click_model = spec.click_model;
    o.seed = spec.seed;
    return SimulateLoggedFeedback(data, o);
  }
  return ReadLoggedFeedback(spec);
}

EstimatorTerms RunEstimator(const OpeEstimatorInput& e, const EstimatorInputs& in) {
  EstimatorTerms t;
  Estimator& estimator = *e.estimator;
  const std::string missing = MissingInput(e.capabilities, in.Context());
  if (!missing.empty()) throw Error("estimator '" + e.name + "' cannot run: " + missing);
  Status s = estimator.Configure(e.params, in.Context());
  if (!s.ok()) throw Error("estimator '" + e.name + "': " + s.message());
  t.components = estimator.NumComponents();
  if (t.components != 1 && t.components != in.slate_size) {
    throw Error("estimator '" + e.name + "': NumComponents() is " + std::to_string(t.components) +
                ", expected 1 or the slate size " + std::to_string(in.slate_size));
  }
  t.num.assign(static_cast<size_t>(in.num_rounds) * t.components, 0.0);
  t.den.assign(t.num.size(), 0.0);
  s = estimator.Terms(in.View(), t.num, t.den);
  if (!s.ok()) throw Error("estimator '" + e.name + "': " + s.message());
  for (size_t j = 0; j < t.num.size(); ++j) {
    if (!std::isfinite(t.num[j]) || !std::isfinite(t.den[j])) {
      throw Error("estimator '" + e.name + "': a non-finite term at round " +
                  std::to_string(j / t.components));
    }
  }
  return t;
}

json AnalyseOffPolicy(const LoggedFeedback& logs, std::span<const OpePolicyInput> policies,
                      std::span<const OpeEstimatorInput> estimators, const RewardModel* model,
                      const OpeAnalysisOptions& options, std::vector<std::string>& warnings) {
  const double alpha = options.alpha;
  // term sets: 0 = the logging policy on-policy, then policy x estimator
  std::vector<EstimatorTerms> terms;
  terms.push_back(OnPolicyTerms(logs));
  std::vector<std::vector<int>> set_of(policies.size(), std::vector<int>(estimators.size(), -1));
  std::vector<std::vector<std::string>> failure(policies.size(), std::vector<std::string>(estimators.size()));
  std::vector<double> truths(policies.size(), NAN);
  std::vector<std::vector<double>> truth_rounds(policies.size());
  json policies_json = json::array();
  for (size_t p = 0; p < policies.size(); ++p) {
    const OpePolicyInput& pol = policies[p];
    const TargetOnLogs target = EvaluateTarget(logs, pol.policy, pol.scores);
    const EstimatorInputs inputs = BuildEstimatorInputs(logs, target, model);
    const WeightDiagnostics d = Diagnose(logs, target, inputs);
    truth_rounds[p] = TrueValuePerRound(logs, target);
    truths[p] = TrueValue(logs, target);
    for (size_t e = 0; e < estimators.size(); ++e) {
      try {
        terms.push_back(RunEstimator(estimators[e], inputs));
        set_of[p][e] = static_cast<int>(terms.size()) - 1;
      } catch (const Error& error) {
        failure[p][e] = error.what();
        warnings.push_back("ope, policy " + pol.name + ": " + error.what());
      }
    }
    for (const std::string& w : d.warnings) warnings.push_back("ope, policy " + pol.name + ": " + w);
    json j = {
        {"name", pol.name},
        {"arm", pol.arm},
        {"policy", PolicyKindName(pol.policy.kind)},
        {"temperature", pol.policy.kind == PolicyKind::kSoftmax ? json(pol.policy.temperature) : json()},
        {"epsilon", pol.policy.kind == PolicyKind::kEpsilonGreedy ? json(pol.policy.epsilon) : json()},
        {"truth", JsonNumber(truths[p])},
        {"diagnostics",
         {{"ess", JsonNumber(d.ess)},
          {"ess_share", JsonNumber(d.ess_share)},
          {"max_weight", JsonNumber(d.max_weight)},
          {"mean_weight", JsonNumber(d.mean_weight)},
          {"slate_ess", JsonNumber(d.slate_ess)},
          {"slate_max_weight", JsonNumber(d.slate_max_weight)},
          {"unsupported_share", JsonNumber(d.unsupported_share)},
          {"trustworthy", d.trustworthy},
          {"warnings", d.warnings}}}};
    policies_json.push_back(std::move(j));
  }

  std::vector<const EstimatorTerms*> sets;
  for (const EstimatorTerms& t : terms) sets.push_back(&t);
  const std::vector<double> boot = BootstrapEstimates(sets, logs.num_rounds, options.bootstrap_samples,
                                                      options.seed ^ 0x0fe0fe0fe0fe0feULL);
  const size_t S = sets.size();
  std::vector<double> point(S);
  for (size_t s = 0; s < S; ++s) point[s] = RatioEstimate(terms[s]);

  const double logging_truth = TrueLoggingValue(logs);
  const Interval logging_ci = Percentiles(Column(boot, S, 0), alpha);
  json logging = {{"value", JsonNumber(point[0])},          {"ci_low", JsonNumber(logging_ci.low)},
                  {"ci_high", JsonNumber(logging_ci.high)}, {"se", JsonNumber(logging_ci.se)},
                  {"truth", JsonNumber(logging_truth)},     {"policy", logs.logging_policy}};

  for (size_t p = 0; p < policies.size(); ++p) {
    json estimates = json::array();
    for (size_t e = 0; e < estimators.size(); ++e) {
      json j = {{"estimator", estimators[e].name}};
      if (set_of[p][e] < 0) {
        j["failure"] = failure[p][e];
        estimates.push_back(std::move(j));
        continue;
      }
      const size_t s = static_cast<size_t>(set_of[p][e]);
      const Interval ci = Percentiles(Column(boot, S, s), alpha);
      j["value"] = JsonNumber(point[s]);
      j["ci_low"] = JsonNumber(ci.low);
      j["ci_high"] = JsonNumber(ci.high);
      j["se"] = JsonNumber(ci.se);
      if (!std::isnan(truths[p])) {
        j["error"] = JsonNumber(point[s] - truths[p]);
        j["relative_error"] = JsonNumber(truths[p] != 0 ? (point[s] - truths[p]) / truths[p] : NAN);
        j["covers_truth"] = ci.low <= truths[p] && truths[p] <= ci.high;
      }
      estimates.push_back(std::move(j));
    }
    policies_json[p]["estimates"] = std::move(estimates);
  }

  // offline A/B: every policy but the control against it, per estimator
  int control = -1;
  for (size_t p = 0; p < policies.size(); ++p) {
    if (policies[p].name == options.control) control = static_cast<int>(p);
  }
  if (options.control != "logging" && control < 0) {
    throw Error("ope.control: no policy named '" + options.control + "'");
  }
  json comparisons = json::array();
  std::vector<double> p_values;
  for (size_t p = 0; p < policies.size(); ++p) {
    if (static_cast<int>(p) == control) continue;
    for (size_t e = 0; e < estimators.size(); ++e) {
      const int t_set = set_of[p][e];
      const int c_set = control < 0 ? 0 : set_of[control][e];
      if (t_set < 0 || c_set < 0) continue;
      std::vector<double> diffs(static_cast<size_t>(options.bootstrap_samples));
      for (size_t b = 0; b < diffs.size(); ++b) diffs[b] = boot[b * S + t_set] - boot[b * S + c_set];
      const Interval ci = Percentiles(diffs, alpha);
      const double diff = point[t_set] - point[c_set];
      double p_value = NAN;
      if (std::isfinite(diff) && std::isfinite(ci.se)) {
        p_value = ci.se > 0 ? 2 * (1 - stats::NormalCdf(std::abs(diff) / ci.se)) : (diff == 0 ? 1.0 : 0.0);
      }
      const double control_truth = control < 0 ? logging_truth : truths[control];
      json j = {{"treatment", policies[p].name},
                {"control", options.control},
                {"estimator", estimators[e].name},
                {"primary", estimators[e].name == options.primary_estimator},
                {"treatment_value", JsonNumber(point[t_set])},
                {"control_value", JsonNumber(point[c_set])},
                {"difference", JsonNumber(diff)},
                {"ci_low", JsonNumber(ci.low)},
                {"ci_high", JsonNumber(ci.high)},
                {"relative", JsonNumber(point[c_set] != 0 ? diff / point[c_set] : NAN)},
                {"p_value", JsonNumber(p_value)},
                {"true_difference", JsonNumber(truths[p] - control_truth)}};
      p_values.push_back(p_value);
      comparisons.push_back(std::move(j));
    }
  }
  std::vector<double> adjusted = p_values;
  if (options.correction == "holm") adjusted = stats::HolmAdjust(p_values);
  if (options.correction == "bh") adjusted = stats::BenjaminiHochbergAdjust(p_values);
  for (size_t c = 0; c < comparisons.size(); ++c) {
    comparisons[c]["p_adjusted"] = JsonNumber(adjusted[c]);
    const double diff =
        comparisons[c]["difference"].is_number() ? comparisons[c]["difference"].get<double>() : NAN;
    comparisons[c]["verdict"] = stats::Verdict(adjusted[c], diff, alpha, true);
  }

  // the primary estimator's A/B by segment, corrected within each profiler
  const std::vector<double> logging_truth_rounds = TrueLoggingValuePerRound(logs);
  size_t primary = estimators.size();
  for (size_t e = 0; e < estimators.size(); ++e) {
    if (estimators[e].name == options.primary_estimator) primary = e;
  }
  json segments = json::array();
  for (const OpeSegmentation& seg : options.segmentations) {
    if (primary == estimators.size() || seg.round_segment.size() != logs.num_rounds) break;
    std::vector<std::vector<uint32_t>> rounds_of(seg.names.size());
    for (uint32_t r = 0; r < logs.num_rounds; ++r) {
      if (seg.round_segment[r] < seg.names.size()) rounds_of[seg.round_segment[r]].push_back(r);
    }
    json rows = json::array();
    std::vector<double> seg_p;
    for (size_t g = 0; g < seg.names.size(); ++g) {
      const auto& rounds = rounds_of[g];
      if (rounds.size() < 2) continue;
      for (size_t p = 0; p < policies.size(); ++p) {
        if (static_cast<int>(p) == control) continue;
        const int t_set = set_of[p][primary];
        const int c_set = control < 0 ? 0 : set_of[control][primary];
        if (t_set < 0 || c_set < 0) continue;
        const EstimatorTerms t = SubsetTerms(terms[t_set], rounds), c = SubsetTerms(terms[c_set], rounds);
        const EstimatorTerms* pair[] = {&t, &c};
        const std::vector<double> b = BootstrapEstimates(pair, static_cast<uint32_t>(rounds.size()),
                                                         options.bootstrap_samples, options.seed ^ (g + 1));
        std::vector<double> diffs(b.size() / 2);
        for (size_t i = 0; i < diffs.size(); ++i) diffs[i] = b[2 * i] - b[2 * i + 1];
        const Interval ci = Percentiles(diffs, alpha);
        const double tv = RatioEstimate(t), cv = RatioEstimate(c), diff = tv - cv;
        double p_value = NAN;
        if (std::isfinite(diff) && std::isfinite(ci.se)) {
          p_value = ci.se > 0 ? 2 * (1 - stats::NormalCdf(std::abs(diff) / ci.se)) : (diff == 0 ? 1.0 : 0.0);
        }
        double true_diff = NAN;
        const auto& ct = control < 0 ? logging_truth_rounds : truth_rounds[control];
        if (!truth_rounds[p].empty() && !ct.empty()) {
          true_diff = 0;
          for (uint32_t r : rounds)
            true_diff += (truth_rounds[p][r] - ct[r]) / static_cast<double>(rounds.size());
        }
        seg_p.push_back(p_value);
        rows.push_back({{"segment", seg.names[g]},
                        {"rounds", rounds.size()},
                        {"treatment", policies[p].name},
                        {"estimator", estimators[primary].name},
                        {"treatment_value", JsonNumber(tv)},
                        {"control_value", JsonNumber(cv)},
                        {"difference", JsonNumber(diff)},
                        {"ci_low", JsonNumber(ci.low)},
                        {"ci_high", JsonNumber(ci.high)},
                        {"p_value", JsonNumber(p_value)},
                        {"true_difference", JsonNumber(true_diff)}});
      }
    }
    std::vector<double> adj = seg_p;
    if (options.correction == "holm") adj = stats::HolmAdjust(seg_p);
    if (options.correction == "bh") adj = stats::BenjaminiHochbergAdjust(seg_p);
    for (size_t i = 0; i < rows.size(); ++i) {
      rows[i]["p_adjusted"] = JsonNumber(adj[i]);
      const double diff = rows[i]["difference"].is_number() ? rows[i]["difference"].get<double>() : NAN;
      rows[i]["verdict"] = stats::Verdict(adj[i], diff, alpha, true);
    }
    segments.push_back({{"profiler", seg.profiler}, {"comparisons", std::move(rows)}});
  }

  json logged = {{"source", logs.source},
                 {"rounds", logs.num_rounds},
                 {"slate_size", logs.slate_size},
                 {"actions", logs.num_actions()},
                 {"users", logs.user_ids.size()},
                 {"mean_reward", JsonNumber(point[0])},
                 {"has_prefix_propensity", logs.has_prefix_propensity()},
                 {"has_truth", logs.has_truth()},
                 {"logging_policy", logs.logging_policy},
                 {"click_model", logs.click_model},
                 {"findings", logs.findings},
                 {"findings_count", logs.findings_count}};
  json estimators_json = json::array();
  for (const OpeEstimatorInput& e : estimators) {
    estimators_json.push_back({{"name", e.name}, {"plugin", e.plugin_id}, {"params", e.params_json}});
  }
  return {{"logged", std::move(logged)},
          {"reward_model", model == nullptr ? json() : json{{"kind", model->kind}, {"folds", model->folds}}},
          {"estimators", std::move(estimators_json)},
          {"control", options.control},
          {"primary_estimator", options.primary_estimator},
          {"alpha", alpha},
          {"correction", options.correction},
          {"bootstrap_samples", options.bootstrap_samples},
          {"logging", std::move(logging)},
          {"policies", std::move(policies_json)},
          {"comparisons", std::move(comparisons)},
          {"segments", std::move(segments)}};
}

json RunOffPolicy(const OpeEnv& env, std::vector<std::string>& warnings) {
  const ExperimentSpec& spec = env.spec;
  if (!spec.logged.present) return json::object();
  const Dataset& data = env.data;
  std::vector<std::string> ope_warnings;
  json section;
  env.arena.execute([&] {
    const LoggedFeedback logs = LoadLoggedFeedback(spec.logged, data);
    spdlog::info("ope: {} rounds of {} positions over {} actions and {} users from {}", logs.num_rounds,
                 logs.slate_size, logs.num_actions(), logs.user_ids.size(), logs.source);
    for (const std::string& f : logs.findings) ope_warnings.push_back("ope, logged data: " + f);
    if (logs.findings_count > logs.findings.size()) {
      ope_warnings.push_back(
          "ope, logged data: " + std::to_string(logs.findings_count - logs.findings.size()) +
          " more findings like these");
    }

    const json leakage = CheckLoggedLeakage(logs, data, ope_warnings);
    // target policies: every arm they use, fitted once on all of [dataset]
    std::vector<uint64_t> all(data.size());
    for (uint64_t j = 0; j < all.size(); ++j) all[j] = j;
    const OwnedTrainData train = BuildTrainView(data, all);
    const ArmFitter fit = env.fit ? env.fit : RegistryFitter(env.registry, env.arena);
    std::unordered_map<std::string, uint32_t> user_of, item_of;
    for (uint32_t u = 0; u < data.num_users(); ++u) user_of.emplace(data.user_ids[u], u);
    for (uint32_t i = 0; i < data.num_items(); ++i) item_of.emplace(data.item_ids[i], i);
    const uint32_t A = logs.num_actions();
    std::vector<uint32_t> known_actions, known_items;
    for (uint32_t a = 0; a < A; ++a) {
      auto it = item_of.find(logs.action_ids[a]);
      if (it == item_of.end()) continue;
      known_actions.push_back(a);
      known_items.push_back(it->second);
    }
    if (known_actions.size() < A) {
      ope_warnings.push_back("ope: " + std::to_string(A - known_actions.size()) + " of " + std::to_string(A) +
                             " logged items are not in [dataset]; every policy ranks them last");
    }
    std::vector<int64_t> user_in_data(logs.user_ids.size(), -1);
    size_t unknown_users = 0;
    for (size_t u = 0; u < logs.user_ids.size(); ++u) {
      auto it = user_of.find(logs.user_ids[u]);
      if (it != user_of.end()) user_in_data[u] = it->second;
      unknown_users += it == user_of.end();
    }
    if (unknown_users > 0) {
      ope_warnings.push_back(
          "ope: " + std::to_string(unknown_users) + " of " + std::to_string(logs.user_ids.size()) +
          " logged users are not in [dataset]; their scores are all equal (ties by item order)");
    }

    std::map<std::string, FittedArm> fitted;
    std::map<std::string, std::string> arm_failure;
    // the arm, fitted once; null (with a warning) when it failed
    auto fitted_arm = [&](const std::string& name) -> const FittedArm* {
      if (!fitted.count(name) && !arm_failure.count(name)) {
        const ArmSpec* arm = nullptr;
        for (const ArmSpec& a : spec.arms) {
          if (a.name == name) arm = &a;
        }
        try {
          if (arm == nullptr) throw Error("no arm named '" + name + "'");
          ScenarioLogger logger("ope, arm " + name + ": ");
          fitted.emplace(name, fit(*arm, train.view(), Context{spec.seed, env.threads, &logger, nullptr}));
        } catch (const std::exception& e) {
          arm_failure[name] = e.what();
          ope_warnings.push_back("ope, arm " + name + " failed: " + e.what());
        }
      }
      return arm_failure.count(name) ? nullptr : &fitted.at(name);
    };
    // its score of every action for every logged user; throws Error when Score fails
    auto scores_of = [&](const FittedArm& arm) {
      std::vector<double> scores(logs.user_ids.size() * A, 0.0);
      std::string score_failure;
      std::mutex failure_mutex;
      tbb::parallel_for(size_t{0}, logs.user_ids.size(), [&](size_t u) {
        double* row = scores.data() + u * A;
        for (uint32_t a = 0; a < A; ++a) row[a] = kUnknownItemScore;
        if (user_in_data[u] < 0) {
          for (uint32_t a : known_actions) row[a] = 0.0;
          return;
        }
        std::vector<float> out(known_items.size());
        const Status s = arm.model->Score(static_cast<uint32_t>(user_in_data[u]), known_items, out);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(failure_mutex);
          if (score_failure.empty()) score_failure = s.ToString();
          return;
        }
        for (size_t j = 0; j < known_actions.size(); ++j) row[known_actions[j]] = out[j];
      });
      if (!score_failure.empty()) throw Error("Score failed: " + score_failure);
      return scores;
    };
    std::vector<OpePolicyInput> policies;
    for (const OpePolicySpec& ps : spec.ope.policies) {
      const FittedArm* arm = fitted_arm(ps.arm);
      if (arm == nullptr) continue;
      OpePolicyInput in;
      in.name = ps.name;
      in.arm = ps.arm;
      in.policy = {ParsePolicyKind(ps.policy), ps.temperature, ps.epsilon};
      try {
        in.scores = scores_of(*arm);
      } catch (const Error& e) {
        ope_warnings.push_back("ope, policy " + ps.name + ": " + e.what());
        continue;
      }
      policies.push_back(std::move(in));
    }

    std::vector<OpeSegmentation> options_segmentations;
    std::vector<EstimatorHandle> handles;
    std::vector<OpeEstimatorInput> estimators;
    for (const PluginUse& use : spec.ope.estimators) {
      handles.push_back(env.registry.CreateEstimator(use.plugin));
      OpeEstimatorInput e;
      e.name = use.plugin;
      e.plugin_id = PluginId(handles.back().info());
      e.estimator = handles.back().get();
      e.capabilities = handles.back().info().capabilities;
      const Status s = Params::Build(handles.back().info().param_specs(), use.params, e.params);
      if (!s.ok()) throw Error(use.where, "estimator '" + use.plugin + "': " + s.message());
      e.params_json = ParamsToJson(e.params);
      estimators.push_back(std::move(e));
    }
    // the experiment's profilers, fitted on the same training data, segment the logged users
    for (const PluginUse& use : spec.profilers) {
      try {
        ProfilerHandle profiler = env.registry.CreateProfiler(use.plugin);
        Params params;
        Status s = Params::Build(profiler.info().param_specs(), use.params, params);
        ScenarioLogger logger("ope, profiler " + use.plugin + ": ");
        if (s.ok())
          s = profiler->Fit(train.view(), params, Context{spec.seed, env.threads, &logger, nullptr});
        OpeSegmentation seg;
        seg.profiler = use.plugin;
        std::vector<uint32_t> of_user(data.num_users(), 0);
        if (s.ok()) s = profiler->Segments(seg.names, of_user);
        if (!s.ok()) throw Error(s.ToString());
        const uint32_t unknown = static_cast<uint32_t>(seg.names.size());
        if (unknown_users > 0) seg.names.push_back("not in [dataset]");
        for (uint32_t r = 0; r < logs.num_rounds; ++r) {
          const int64_t u = user_in_data[logs.round_user[r]];
          seg.round_segment.push_back(u < 0 ? unknown : std::min(of_user[u], unknown));
        }
        options_segmentations.push_back(std::move(seg));
      } catch (const std::exception& e) {
        ope_warnings.push_back("ope, profiler " + use.plugin + " failed: " + e.what());
      }
    }
    const uint32_t folds = static_cast<uint32_t>(spec.ope.reward_model_folds);
    std::optional<RewardModel> model;
    if (spec.ope.reward_model == "oracle") {
      model = OracleModel(logs);
    } else if (spec.ope.reward_model == "arm") {
      if (const FittedArm* arm = fitted_arm(spec.ope.reward_model_arm)) {
        try {
          model = FitScoreModel(logs, scores_of(*arm), folds);
          model->kind = "arm-scores:" + spec.ope.reward_model_arm;
        } catch (const Error& e) {
          ope_warnings.push_back("ope, reward model from arm " + spec.ope.reward_model_arm + ": " + e.what());
        }
      }
      if (!model) ope_warnings.push_back("ope: no reward model; dm, dr and switch_dr do not run");
    } else {
      model = FitItemPositionModel(logs, folds);
    }
    OpeAnalysisOptions options;
    options.control = spec.ope.control;
    options.primary_estimator = spec.ope.primary_estimator;
    options.alpha = spec.ope.alpha;
    options.correction = spec.ope.correction;
    options.bootstrap_samples = spec.ope.bootstrap_samples;
    options.seed = spec.seed;
    options.segmentations = std::move(options_segmentations);
    if (options.control != "logging" &&
        std::none_of(policies.begin(), policies.end(),
                     [&](const OpePolicyInput& p) { return p.name == options.control; })) {
      ope_warnings.push_back("ope: the control policy '" + options.control +
                             "' failed; comparing against the logging policy instead");
      options.control = "logging";
    }
    section = AnalyseOffPolicy(logs, policies, estimators, model ? &*model : nullptr, options, ope_warnings);
    section["leakage"] = leakage;
    json failed = json::object();
    for (const auto& [arm, why] : arm_failure) failed[arm] = why;
    section["failed_arms"] = std::move(failed);
  });
  section["warnings"] = ope_warnings;
  for (const std::string& w : ope_warnings) spdlog::warn("{}", w);
  warnings.insert(warnings.end(), ope_warnings.begin(), ope_warnings.end());
  return json{{"ope", std::move(section)}};
}

}  // namespace reclift::host
