#include "tuning/trial.h"

namespace reclift::host {

nlohmann::json ToJson(const TrialRequest& r) {
  return {{"arm", r.arm},       {"trial", r.trial},
          {"params", r.params}, {"budget_parameter", r.budget_parameter},
          {"budget", r.budget}, {"data", r.data},
          {"metric", r.metric}, {"fold", r.fold},
          {"seed", r.seed}};
}

TrialRequest TrialRequestFromJson(const nlohmann::json& j) {
  TrialRequest r;
  r.arm = j.at("arm").get<std::string>();
  r.trial = j.at("trial").get<int>();
  r.params = j.at("params");
  r.budget_parameter = j.value("budget_parameter", "");
  r.budget = j.value("budget", int64_t{0});
  r.data = j.value("data", "validation");
  r.metric = j.value("metric", "");
  r.fold = j.value("fold", 0);
  r.seed = j.value("seed", uint64_t{0});
  return r;
}

nlohmann::json ToJson(const TrialOutcome& o) {
  nlohmann::json j = {{"status", o.ok ? "ok" : "failed"},
                      {"value", std::isfinite(o.value) ? nlohmann::json(o.value) : nlohmann::json(nullptr)},
                      {"fit_seconds", o.fit_seconds},
                      {"seconds", o.seconds}};
  if (!o.ok) j["error"] = o.error;
  return j;
}

TrialOutcome TrialOutcomeFromJson(const nlohmann::json& j) {
  TrialOutcome o;
  o.ok = j.value("status", "failed") == "ok";
  o.value = j.contains("value") && j["value"].is_number() ? j["value"].get<double>() : NAN;
  o.fit_seconds = j.value("fit_seconds", 0.0);
  o.seconds = j.value("seconds", 0.0);
  o.error = j.value("error", "");
  return o;
}

}  // namespace reclift::host
