#include "tuning/tuner.h"

#include <algorithm>
#include <cmath>

#include "util/error.h"

namespace reclift::host {

nlohmann::json ParamValueJson(const ParamValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

nlohmann::json TrialParams(const ArmSpec& arm, const TuneConfig& config, const std::string& budget_parameter,
                           int64_t budget) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [name, value] : arm.recommender.params) params[name] = ParamValueJson(value);
  for (const auto& [name, value] : config) params[name] = ParamValueJson(value);
  if (!budget_parameter.empty() && budget > 0) params[budget_parameter] = budget;
  return params;
}

std::optional<TuneConfig> OwnConfig(const ArmSpec& arm, std::span<const ParamSpec> specs) {
  TuneConfig config;
  for (const auto& [name, d] : arm.tune) {
    ParamValue value;
    if (auto it = arm.recommender.params.find(name); it != arm.recommender.params.end()) {
      value = it->second;
    } else {
      auto spec =
          std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return name == s.name; });
      if (spec == specs.end() || spec->default_value == nullptr) return std::nullopt;
      const std::string text = spec->default_value;
      try {
        switch (spec->type) {
          case ParamType::kInt: value = static_cast<int64_t>(std::stoll(text)); break;
          case ParamType::kFloat: value = std::stod(text); break;
          case ParamType::kBool: value = text == "true"; break;
          case ParamType::kString: value = text; break;
        }
      } catch (const std::exception&) {
        return std::nullopt;
      }
    }
    if (d.kind == TuneDimension::Kind::kChoices) {
      if (std::find(d.choices.begin(), d.choices.end(), value) == d.choices.end()) return std::nullopt;
    } else {
      double x;
      if (auto* i = std::get_if<int64_t>(&value)) {
        x = static_cast<double>(*i);
      } else if (auto* f = std::get_if<double>(&value)) {
        x = *f;
      } else {
        return std::nullopt;
      }
      if (x < d.low || x > d.high) return std::nullopt;
      if (d.kind == TuneDimension::Kind::kIntUniform) value = static_cast<int64_t>(std::llround(x));
      if (d.kind != TuneDimension::Kind::kIntUniform) value = x;
    }
    config[name] = value;
  }
  return config;
}

namespace {

class Search {
 public:
  Search(const ArmSpec& arm, const TuningSpec& tuning, const SearchSettings& settings, const TrialRunner& run)
      : arm_(arm), tuning_(tuning), settings_(settings), run_(run) {}

  // Runs one batch; returns the indices of its records.
  std::vector<size_t> RunBatch(const std::vector<TuneConfig>& configs, int rung, int64_t budget) {
    std::vector<TrialRequest> requests;
    for (const TuneConfig& config : configs) {
      TrialRequest r;
      r.arm = arm_.name;
      r.trial = static_cast<int>(result_.trials.size() + requests.size());
      r.params = TrialParams(arm_, config, settings_.budget_parameter, budget);
      r.budget_parameter = budget > 0 ? settings_.budget_parameter : "";
      r.budget = budget;
      r.metric = settings_.metric;
      r.fold = settings_.fold;
      r.seed = settings_.model_seed;
      requests.push_back(std::move(r));
    }
    if (requests.empty()) return {};
    const std::vector<TrialOutcome> outcomes = run_(requests);
    if (outcomes.size() != requests.size()) {
      throw Error("tuning arm '" + arm_.name + "': the trial runner returned " +
                  std::to_string(outcomes.size()) + " outcomes for " + std::to_string(requests.size()) +
                  " requests");
    }
    std::vector<size_t> indices;
    for (size_t i = 0; i < requests.size(); ++i) {
      TrialRecord record{requests[i], configs[i], rung, outcomes[i]};
      if (record.outcome.ok && !std::isfinite(record.outcome.value)) {
        record.outcome.ok = false;
        record.outcome.error = "the validation metric is not a finite number";
      }
      if (!record.outcome.ok) ++result_.failed;
      if (record.outcome.ok) history_.push_back({configs[i], Score(record.outcome.value)});
      indices.push_back(result_.trials.size());
      result_.trials.push_back(std::move(record));
    }
    return indices;
  }

  double Score(double value) const { return settings_.higher_is_better ? value : -value; }

  void PickBest(const std::vector<size_t>& candidates) {
    for (size_t i : candidates) {
      const TrialRecord& t = result_.trials[i];
      if (!t.outcome.ok) continue;
      if (!result_.best || Score(t.outcome.value) > Score(result_.best_value)) {
        result_.best = i;
        result_.best_value = t.outcome.value;
        result_.best_config = t.config;
      }
    }
  }

  ArmSearch Run() {
    const size_t trials = static_cast<size_t>(tuning_.trials);
    std::vector<size_t> all;
    auto append = [&](const std::vector<size_t>& v) { all.insert(all.end(), v.begin(), v.end()); };
    if (tuning_.method == "grid") {
      append(RunBatch(GridConfigs(arm_.tune, trials), 0, 0));
      PickBest(all);
    } else if (tuning_.method == "random") {
      std::vector<TuneConfig> configs = MakeRandomSampler(arm_.tune, tuning_.seed)->Next({}, trials);
      if (settings_.first && !configs.empty()) configs.front() = *settings_.first;
      append(RunBatch(configs, 0, 0));
      PickBest(all);
    } else if (tuning_.method == "tpe") {
      TpeOptions options;
      auto sampler = MakeTpeSampler(arm_.tune, tuning_.seed, options);
      const size_t startup = std::min(trials, options.startup_trials);
      std::vector<TuneConfig> configs = sampler->Next(history_, startup);
      if (settings_.first && !configs.empty()) configs.front() = *settings_.first;
      append(RunBatch(configs, 0, 0));
      const size_t batch = tuning_.parallel > 0 ? static_cast<size_t>(tuning_.parallel) : 1;
      while (result_.trials.size() < trials) {
        append(RunBatch(sampler->Next(history_, std::min(batch, trials - result_.trials.size())), 0, 0));
      }
      PickBest(all);
    } else if (tuning_.method == "halving") {
      RunHalving(trials);
    } else {
      throw Error("unknown tuning method '" + tuning_.method + "'");
    }
    return std::move(result_);
  }

  // Successive halving: `trials` random configurations at the smallest
  // budget, the best 1/eta of them at eta times the budget, ... up to the
  // arm's own budget.
  void RunHalving(size_t trials) {
    const int64_t max_budget = std::max<int64_t>(1, settings_.max_budget);
    const double eta = tuning_.eta;
    const int rungs =
        static_cast<int>(std::floor(std::log(static_cast<double>(trials)) / std::log(eta) + 1e-9));
    std::vector<TuneConfig> configs = MakeRandomSampler(arm_.tune, tuning_.seed)->Next({}, trials);
    if (settings_.first && !configs.empty()) configs.front() = *settings_.first;
    std::vector<size_t> last;
    for (int rung = 0; rung <= rungs && !configs.empty(); ++rung) {
      const double scale = std::pow(eta, rungs - rung);
      const int64_t budget =
          rung == rungs ? max_budget
                        : std::max<int64_t>(
                              1, static_cast<int64_t>(std::floor(static_cast<double>(max_budget) / scale)));
      last = RunBatch(configs, rung, budget);
      std::vector<size_t> ok;
      for (size_t i : last) {
        if (result_.trials[i].outcome.ok) ok.push_back(i);
      }
      std::stable_sort(ok.begin(), ok.end(), [&](size_t a, size_t b) {
        return Score(result_.trials[a].outcome.value) > Score(result_.trials[b].outcome.value);
      });
      const size_t keep =
          std::max<size_t>(1, static_cast<size_t>(std::floor(static_cast<double>(last.size()) / eta)));
      configs.clear();
      if (rung < rungs) {
        for (size_t j = 0; j < std::min(keep, ok.size()); ++j)
          configs.push_back(result_.trials[ok[j]].config);
      }
    }
    PickBest(last);  // only the largest budget competes
  }

 private:
  const ArmSpec& arm_;
  const TuningSpec& tuning_;
  const SearchSettings& settings_;
  const TrialRunner& run_;
  ArmSearch result_;
  std::vector<TuneObservation> history_;
};

}  // namespace

ArmSearch SearchArm(const ArmSpec& arm, const TuningSpec& tuning, const SearchSettings& settings,
                    const TrialRunner& run) {
  return Search(arm, tuning, settings, run).Run();
}

}  // namespace reclift::host
