// [logged] and [ope]: the off-policy evaluation part of an experiment file.
#include "experiment/ope_read.h"

#include <algorithm>
#include <cmath>

#include "experiment/sections.h"
#include "experiment/toml_read.h"
#include "util/text.h"

namespace reclift::host::experiment_internal {
namespace fs = std::filesystem;

namespace {

bool PositiveInt(int64_t v) {
  return v > 0;
}
bool NonNegativeInt(int64_t v) {
  return v >= 0;
}
bool SlateSize(int64_t v) {
  return v >= 0 && v <= 100;
}
bool Positive(double x) {
  return std::isfinite(x) && x > 0;
}
bool NonNegative(double x) {
  return std::isfinite(x) && x >= 0;
}
bool UnitInterval(double x) {
  return x >= 0 && x <= 1;
}
bool OpenUnitInterval(double x) {
  return x > 0 && x < 1;
}
bool FoldCount(int64_t v) {
  return v >= 1 && v <= 20;
}

const toml::table* Section(const toml::table& root, std::string_view name) {
  const toml::node* node = root.get(name);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) Field(*node, std::string(name)).Expected("a table ([" + std::string(name) + "])");
  return node->as_table();
}

std::string Column(const Field& f, bool header) {
  if (f.node().is_integer() && !header) return std::to_string(f.node().as_integer()->get());
  std::string column = f.String();
  if (!header && !column.empty() && column.find_first_not_of("0123456789") != std::string::npos) {
    f.Expected("a 0-based column index (the file has no header)");
  }
  return column;
}

// Keys that only mean something for some formats.
constexpr std::string_view kFileKeys[] = {"file"};
constexpr std::string_view kCsvKeys[] = {
    "truth",           "delimiter",       "header",        "round_column",      "user_column",
    "item_column",     "position_column", "reward_column", "propensity_column", "prefix_propensity_column",
    "timestamp_column"};
constexpr std::string_view kObdKeys[] = {"items"};
constexpr std::string_view kSyntheticKeys[] = {"rounds",  "actions",        "logging_policy", "temperature",
                                               "epsilon", "position_decay", "click_model",    "seed"};

void ReadLogged(const toml::table& table, ExperimentSpec& spec) {
  LoggedSpec& l = spec.logged;
  l.present = true;
  TableReader reader(table, "[logged]", "logged", kLoggedKeys);
  if (auto f = reader.Get("format")) {
    l.format = f->Choice(kLoggedFormats);
    l.where["format"] = f->where();
  }
  auto refuse = [&](std::span<const std::string_view> keys, std::string_view formats) {
    for (std::string_view key : keys) {
      if (auto f = reader.Get(key)) {
        Fail(f->where(), "logged." + std::string(key) + ": only for format " + std::string(formats) +
                             " (this [logged] has format \"" + l.format + "\")");
      }
    }
  };
  const bool csv = l.format == "csv", obd = l.format == "open-bandit", synthetic = l.format == "synthetic";
  if (synthetic) refuse(kFileKeys, "\"csv\" or \"open-bandit\"");
  if (!csv) refuse(kCsvKeys, "\"csv\"");
  if (!obd) refuse(kObdKeys, "\"open-bandit\"");
  if (!synthetic) refuse(kSyntheticKeys, "\"synthetic\"");

  if (auto f = reader.Get("file")) {
    l.file = ResolveSpecPath(spec, *f);
    l.where["file"] = f->where();
  } else if (!synthetic) {
    Fail(reader.where(),
         "[logged]: missing required key 'file' (the logged rows, format \"" + l.format + "\")");
  }
  if (auto f = reader.Get("items")) {
    l.items = ResolveSpecPath(spec, *f);
    l.where["items"] = f->where();
  }
  if (auto f = reader.Get("truth")) {
    l.truth = ResolveSpecPath(spec, *f);
    l.where["truth"] = f->where();
  }
  if (auto f = reader.Get("delimiter")) {
    l.delimiter = f->String();
    if (l.delimiter != "\\t" && l.delimiter != "\t" && l.delimiter.size() != 1) {
      f->Expected("one character, or \"\\t\"");
    }
    if (l.delimiter == "\\t") l.delimiter = "\t";
    l.where["delimiter"] = f->where();
  }
  if (auto f = reader.Get("header")) {
    l.header = f->Bool();
    l.where["header"] = f->where();
  }
  if (!l.header) {
    // without a header the columns must be indices: no defaults by name
    l.round_column = l.user_column = l.item_column = l.position_column = l.reward_column =
        l.propensity_column = "";
  }
  struct ColumnKey {
    std::string_view key;
    std::string* value;
    bool optional;
  };
  const ColumnKey columns[] = {{"round_column", &l.round_column, false},
                               {"user_column", &l.user_column, false},
                               {"item_column", &l.item_column, false},
                               {"position_column", &l.position_column, true},
                               {"reward_column", &l.reward_column, false},
                               {"propensity_column", &l.propensity_column, false},
                               {"prefix_propensity_column", &l.prefix_propensity_column, true},
                               {"timestamp_column", &l.timestamp_column, true}};
  for (const ColumnKey& c : columns) {
    if (auto f = reader.Get(c.key)) {
      *c.value = Column(*f, l.header);
      if (c.value->empty() && !c.optional) f->Expected("a column name or index");
      l.where[std::string(c.key)] = f->where();
    } else if (csv && c.value->empty() && !c.optional) {
      Fail(reader.where(),
           "[logged]: header = false needs logged." + std::string(c.key) + " (a 0-based index)");
    }
  }
  if (auto f = reader.Get("slate_size")) {
    l.slate_size = static_cast<uint32_t>(f->Int("an integer in 0..100 (0: the largest position)", SlateSize));
    l.where["slate_size"] = f->where();
  }
  if (auto f = reader.Get("rounds")) {
    l.rounds = static_cast<uint32_t>(f->Int("a positive integer", PositiveInt));
    l.where["rounds"] = f->where();
  }
  if (auto f = reader.Get("actions")) {
    l.actions = static_cast<uint32_t>(f->Int("a positive integer", PositiveInt));
    l.where["actions"] = f->where();
  }
  if (synthetic && l.slate_size == 0) l.slate_size = 3;
  if (synthetic && l.slate_size > l.actions) {
    Fail(l.where.count("slate_size") ? l.where["slate_size"] : reader.where(),
         "logged.slate_size: " + std::to_string(l.slate_size) + " positions need at least as many actions (" +
             "logged.actions is " + std::to_string(l.actions) + ")");
  }
  if (auto f = reader.Get("logging_policy")) {
    l.logging_policy = f->Choice(kLoggingPolicyNames);
    l.where["logging_policy"] = f->where();
  }
  if (auto f = reader.Get("temperature")) {
    l.temperature = f->Number("a positive number", Positive);
    l.where["temperature"] = f->where();
  }
  if (auto f = reader.Get("epsilon")) {
    l.epsilon = f->Number("a number in [0, 1]", UnitInterval);
    l.where["epsilon"] = f->where();
  }
  if (auto f = reader.Get("position_decay")) {
    l.position_decay = f->Number("a non-negative number", NonNegative);
    l.where["position_decay"] = f->where();
  }
  if (auto f = reader.Get("click_model")) {
    l.click_model = f->Choice(kClickModels);
    l.where["click_model"] = f->where();
  }
  if (auto f = reader.Get("seed")) {
    l.seed = static_cast<uint64_t>(f->Int("a non-negative integer", NonNegativeInt));
    l.where["seed"] = f->where();
  }
}

OpePolicySpec ReadPolicy(const Field& field, const ExperimentSpec& spec,
                         const std::vector<std::string>& arms) {
  const toml::table* table = field.node().as_table();
  if (table == nullptr) field.Expected("a table ([[ope.policies]] with arm = \"...\")");
  TableReader reader(*table, "[[ope.policies]]", field.name(), kOpePolicyKeys);
  OpePolicySpec p;
  p.where = reader.where();
  auto arm = reader.Get("arm");
  if (!arm)
    Fail(reader.where(), "[[ope.policies]]: missing required key 'arm' (the recommender arm to deploy)");
  p.arm = arm->NonEmptyString();
  if (std::find(arms.begin(), arms.end(), p.arm) == arms.end()) {
    std::string hint = DidYouMean(p.arm, arms);
    if (hint.empty()) hint = " (arms: " + Join(arms, ", ") + ")";
    Fail(arm->where(), "ope.policies.arm: no arm named '" + p.arm + "'" + hint);
  }
  if (auto f = reader.Get("policy")) p.policy = f->Choice(kTargetPolicyNames);
  if (auto f = reader.Get("temperature")) {
    if (p.policy != "softmax") Fail(f->where(), "ope.policies.temperature: only for policy = \"softmax\"");
    p.temperature = f->Number("a positive number", Positive);
  }
  if (auto f = reader.Get("epsilon")) {
    if (p.policy != "epsilon-greedy") {
      Fail(f->where(), "ope.policies.epsilon: only for policy = \"epsilon-greedy\"");
    }
    p.epsilon = f->Number("a number in [0, 1]", UnitInterval);
  }
  if (auto f = reader.Get("name")) {
    p.name = f->NonEmptyString();
  } else {
    p.name = p.policy == "top-k" ? p.arm : p.arm + "-" + p.policy;
  }
  (void)spec;
  return p;
}

void ReadOpe(const toml::table& table, ExperimentSpec& spec) {
  OpeSpec& o = spec.ope;
  o.present = true;
  o.alpha = spec.ab.alpha;
  o.correction = spec.ab.correction;
  TableReader reader(table, "[ope]", "ope", kOpeKeys);
  std::vector<std::string> arms;
  for (const ArmSpec& arm : spec.arms) arms.push_back(arm.name);
  if (auto f = reader.Get("estimators")) {
    o.estimators = ReadPluginUseList(*f, "estimator", "ope.estimators");
    if (o.estimators.empty()) f->Expected("at least one estimator plugin");
    o.where["estimators"] = f->where();
  } else {
    for (std::string_view name : kDefaultEstimators) {
      PluginUse use;
      use.plugin = std::string(name);
      use.where = reader.where();
      o.estimators.push_back(std::move(use));
    }
  }
  if (auto f = reader.Get("policies")) {
    const toml::array* list = f->node().as_array();
    if (list == nullptr) f->Expected("an array of tables ([[ope.policies]])");
    for (const Field& item : f->Items()) {
      OpePolicySpec p = ReadPolicy(item, spec, arms);
      for (const OpePolicySpec& earlier : o.policies) {
        if (earlier.name == p.name) {
          Fail(p.where, "ope.policies: two policies are named '" + p.name + "'; give one a name = \"...\"");
        }
      }
      o.policies.push_back(std::move(p));
    }
    o.where["policies"] = f->where();
  } else {
    for (const ArmSpec& arm : spec.arms)
      o.policies.push_back({arm.name, arm.name, "top-k", 1.0, 0.1, arm.where});
  }
  if (o.policies.empty()) Fail(reader.where(), "[ope]: no target policy ([[ope.policies]] or [[arms]])");
  if (auto f = reader.Get("control")) {
    o.control = f->NonEmptyString();
    o.where["control"] = f->where();
    std::vector<std::string> names{"logging"};
    for (const OpePolicySpec& p : o.policies) names.push_back(p.name);
    if (std::find(names.begin(), names.end(), o.control) == names.end()) {
      std::string hint = DidYouMean(o.control, names);
      if (hint.empty()) hint = " (expected \"logging\" or a policy: " + Join(names, ", ") + ")";
      Fail(f->where(), "ope.control: no policy named '" + o.control + "'" + hint);
    }
  }
  std::vector<std::string> estimator_names;
  for (const PluginUse& use : o.estimators) estimator_names.push_back(use.plugin);
  if (auto f = reader.Get("primary_estimator")) {
    o.primary_estimator = f->NonEmptyString();
    o.where["primary_estimator"] = f->where();
    if (std::find(estimator_names.begin(), estimator_names.end(), o.primary_estimator) ==
        estimator_names.end()) {
      std::string hint = DidYouMean(o.primary_estimator, estimator_names);
      if (hint.empty()) hint = " (ope.estimators: " + Join(estimator_names, ", ") + ")";
      Fail(f->where(),
           "ope.primary_estimator: '" + o.primary_estimator + "' is not in ope.estimators" + hint);
    }
  } else {
    const bool has_dr =
        std::find(estimator_names.begin(), estimator_names.end(), "dr") != estimator_names.end();
    o.primary_estimator = has_dr ? "dr" : estimator_names.front();
  }
  if (auto f = reader.Get("reward_model")) {
    o.reward_model = f->Choice(kRewardModels);
    o.where["reward_model"] = f->where();
    if (o.reward_model == "oracle" && spec.logged.format != "synthetic" && spec.logged.truth.empty()) {
      Fail(f->where(),
           "ope.reward_model: \"oracle\" needs logs with known truth ([logged] format = "
           "\"synthetic\", or logged.truth)");
    }
  }
  if (auto f = reader.Get("reward_model_arm")) {
    if (o.reward_model != "arm") Fail(f->where(), "ope.reward_model_arm: only for reward_model = \"arm\"");
    o.reward_model_arm = f->NonEmptyString();
    o.where["reward_model_arm"] = f->where();
    if (std::find(arms.begin(), arms.end(), o.reward_model_arm) == arms.end()) {
      std::string hint = DidYouMean(o.reward_model_arm, arms);
      if (hint.empty()) hint = " (arms: " + Join(arms, ", ") + ")";
      Fail(f->where(), "ope.reward_model_arm: no arm named '" + o.reward_model_arm + "'" + hint);
    }
  } else if (o.reward_model == "arm") {
    Fail(o.where["reward_model"], "ope.reward_model = \"arm\" needs reward_model_arm = \"<an arm>\"");
  }
  if (auto f = reader.Get("reward_model_folds")) {
    o.reward_model_folds = static_cast<int>(f->Int("an integer in 1..20", FoldCount));
    o.where["reward_model_folds"] = f->where();
  }
  if (auto f = reader.Get("bootstrap_samples")) {
    o.bootstrap_samples = static_cast<int>(f->Int("a positive integer", PositiveInt));
    o.where["bootstrap_samples"] = f->where();
  }
  if (auto f = reader.Get("alpha")) {
    o.alpha = f->Number("a number in (0, 1)", OpenUnitInterval);
    o.where["alpha"] = f->where();
  }
  if (auto f = reader.Get("correction")) {
    o.correction = f->Choice(kCorrections);
    o.where["correction"] = f->where();
  }
}

}  // namespace

void ReadOffPolicy(const toml::table& root, ExperimentSpec& spec) {
  const toml::table* logged = Section(root, "logged");
  const toml::table* ope = Section(root, "ope");
  if (logged != nullptr) ReadLogged(*logged, spec);
  if (ope != nullptr && logged == nullptr) {
    Fail(LocationOf(*ope), "[ope] needs a [logged] table: the logged feedback to evaluate the policies on");
  }
  if (logged != nullptr && ope == nullptr) {
    Fail(LocationOf(*logged),
         "[logged] needs an [ope] table (estimators and target policies); an empty "
         "[ope] uses the defaults");
  }
  if (ope != nullptr) ReadOpe(*ope, spec);
  if (spec.logged.present && spec.logged.seed == 0) spec.logged.seed = spec.seed;
}

void CheckOffPolicyPlugins(ExperimentSpec& spec, const PluginCatalog& catalog) {
  for (PluginUse& use : spec.ope.estimators) CheckPluginUse(use, PluginKind::kEstimator, catalog);
}

void CheckOffPolicyFiles(const ExperimentSpec& spec) {
  const LoggedSpec& l = spec.logged;
  if (!l.present) return;
  auto where = [&](const std::string& key) {
    auto it = l.where.find(key);
    return it != l.where.end() ? it->second : SourceLocation{spec.source_file.string()};
  };
  if (!l.file.empty()) RequireInputFile(l.file, "logged.file", where("file"));
  if (!l.items.empty()) RequireInputFile(l.items, "logged.items", where("items"));
  if (!l.truth.empty()) RequireInputFile(l.truth, "logged.truth", where("truth"));
}

nlohmann::json OffPolicyJson(const ExperimentSpec& spec, const PluginCatalog* catalog) {
  nlohmann::json out = nlohmann::json::object();
  if (!spec.logged.present) return out;
  const LoggedSpec& l = spec.logged;
  nlohmann::json logged = {{"format", l.format}, {"slate_size", l.slate_size}};
  if (l.format == "synthetic") {
    logged.update({{"rounds", l.rounds},
                   {"actions", l.actions},
                   {"logging_policy", l.logging_policy},
                   {"temperature", l.temperature},
                   {"epsilon", l.epsilon},
                   {"position_decay", l.position_decay},
                   {"click_model", l.click_model},
                   {"seed", l.seed}});
  } else {
    logged["file"] = l.file.string();
    if (!l.items.empty()) logged["items"] = l.items.string();
  }
  if (l.format == "csv") {
    logged.update({{"delimiter", l.delimiter},
                   {"header", l.header},
                   {"round_column", l.round_column},
                   {"user_column", l.user_column},
                   {"item_column", l.item_column},
                   {"position_column", l.position_column},
                   {"reward_column", l.reward_column},
                   {"propensity_column", l.propensity_column},
                   {"prefix_propensity_column", l.prefix_propensity_column},
                   {"timestamp_column", l.timestamp_column}});
    if (!l.truth.empty()) logged["truth"] = l.truth.string();
  }
  out["logged"] = std::move(logged);
  const OpeSpec& o = spec.ope;
  nlohmann::json estimators = nlohmann::json::array();
  for (const PluginUse& use : o.estimators)
    estimators.push_back(PluginUseToJson(use, PluginKind::kEstimator, catalog));
  nlohmann::json policies = nlohmann::json::array();
  for (const OpePolicySpec& p : o.policies) {
    nlohmann::json j = {{"name", p.name}, {"arm", p.arm}, {"policy", p.policy}};
    if (p.policy == "softmax") j["temperature"] = p.temperature;
    if (p.policy == "epsilon-greedy") j["epsilon"] = p.epsilon;
    policies.push_back(std::move(j));
  }
  out["ope"] = {{"estimators", std::move(estimators)},
                {"policies", std::move(policies)},
                {"control", o.control},
                {"primary_estimator", o.primary_estimator},
                {"reward_model", o.reward_model},
                {"reward_model_arm", o.reward_model_arm},
                {"reward_model_folds", o.reward_model_folds},
                {"bootstrap_samples", o.bootstrap_samples},
                {"alpha", o.alpha},
                {"correction", o.correction}};
  return out;
}

}  // namespace reclift::host::experiment_internal
