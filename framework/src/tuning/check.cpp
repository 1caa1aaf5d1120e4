#include "tuning/check.h"

#include <algorithm>

#include "util/text.h"

namespace reclift::host {
namespace {

std::string Bound(double x) {
  if (std::isinf(x)) return x < 0 ? "-inf" : "inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

const char* TuneKindName(TuneDimension::Kind kind) {
  switch (kind) {
    case TuneDimension::Kind::kChoices: return "choices";
    case TuneDimension::Kind::kUniform: return "uniform";
    case TuneDimension::Kind::kLogUniform: return "log_uniform";
    case TuneDimension::Kind::kIntUniform: return "int_uniform";
  }
  return "?";
}

nlohmann::json TuneSpaceJson(const std::map<std::string, TuneDimension>& space) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, d] : space) {
    if (d.kind == TuneDimension::Kind::kChoices) {
      nlohmann::json choices = nlohmann::json::array();
      for (const ParamValue& v : d.choices) {
        choices.push_back(std::visit([](const auto& x) { return nlohmann::json(x); }, v));
      }
      out[name] = choices;
    } else {
      out[name] = {{TuneKindName(d.kind), {d.low, d.high}}};
    }
  }
  return out;
}

const ParamSpec* BudgetParameter(const PluginInfo& info, const TuningSpec& tuning) {
  const auto specs = info.param_specs();
  for (const ParamSpec& s : specs) {
    if (s.type != ParamType::kInt) continue;
    if (!tuning.budget_parameter.empty()
            ? tuning.budget_parameter == s.name
            : std::string_view(s.name) == "epochs" || std::string_view(s.name) == "iterations") {
      return &s;
    }
  }
  return nullptr;
}

void CheckTuneSpace(ArmSpec& arm, const PluginInfo& info, const TuningSpec& tuning) {
  const std::string owner = "recommender '" + arm.recommender.plugin + "'";
  const auto specs = info.param_specs();
  for (auto& [name, d] : arm.tune) {
    const std::string key = "arms." + arm.name + ".tune." + name;
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return name == s.name; });
    if (spec == specs.end()) {
      std::vector<std::string> names;
      for (const ParamSpec& s : specs) names.emplace_back(s.name);
      std::string hint = DidYouMean(name, names);
      if (hint.empty()) {
        hint = names.empty() ? " (it takes no parameters)" : " (valid parameters: " + Join(names, ", ") + ")";
      }
      throw Error(d.key_where, key + ": " + owner + " has no parameter '" + name + "'" + hint);
    }
    if (d.kind == TuneDimension::Kind::kChoices) {
      for (ParamValue& v : d.choices) {
        const Status s = CheckParam(*spec, v);
        if (!s.ok()) throw Error(d.where, key + ": " + owner + ", " + s.message());
      }
      continue;
    }
    const bool integer = d.kind == TuneDimension::Kind::kIntUniform;
    if (spec->type != ParamType::kInt && spec->type != ParamType::kFloat) {
      throw Error(d.where, key + ": " + owner + "'s parameter '" + name + "' is a " +
                               ParamTypeName(spec->type) + ": search it with a list of choices, not a " +
                               TuneKindName(d.kind) + " range");
    }
    if (spec->type == ParamType::kInt && !integer) {
      throw Error(d.where, key + ": " + owner + "'s parameter '" + name +
                               "' is an integer: use { int_uniform = [lo, hi] } or a list of choices, not " +
                               TuneKindName(d.kind));
    }
    if (d.low < spec->min || d.high > spec->max) {
      throw Error(d.where, key + ": the range [" + Bound(d.low) + ", " + Bound(d.high) +
                               "] reaches outside " + owner + "'s range of '" + name + "', [" +
                               Bound(spec->min) + ", " + Bound(spec->max) + "]");
    }
  }
  if (tuning.method == "halving") {
    const ParamSpec* budget = BudgetParameter(info, tuning);
    auto at = tuning.where.find(tuning.budget_parameter.empty() ? "method" : "budget_parameter");
    const SourceLocation where = at != tuning.where.end() ? at->second : arm.where;
    if (budget == nullptr) {
      throw Error(where, "tuning.method = \"halving\" needs an integer budget parameter, but " + owner +
                             " (arm '" + arm.name + "') has no integer parameter " +
                             (tuning.budget_parameter.empty() ? std::string("'epochs' or 'iterations'")
                                                              : "'" + tuning.budget_parameter + "'") +
                             "; set tuning.budget_parameter or use method = \"tpe\"");
    }
    if (arm.tune.count(budget->name)) {
      throw Error(arm.tune.at(budget->name).key_where,
                  "arms." + arm.name + ".tune." + budget->name +
                      ": the halving budget parameter is set by the tuner, not searched");
    }
  }
}

}  // namespace reclift::host
