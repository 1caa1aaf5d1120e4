#include "experiment/tuning_read.h"

#include <cmath>

#include "experiment/sections.h"
#include "util/text.h"

namespace reclift::host::experiment_internal {
namespace {

constexpr std::string_view kTuningMethods[] = {"grid", "random", "tpe", "halving"};
constexpr std::string_view kRangeKinds[] = {"uniform", "log_uniform", "int_uniform"};

TuneDimension ReadRange(const Field& field) {
  const toml::table& table = *field.node().as_table();
  if (table.size() != 1) {
    field.Expected("one of { uniform = [lo, hi] }, { log_uniform = [lo, hi] } or { int_uniform = [lo, hi] }");
  }
  TuneDimension d;
  for (const auto& [key, value] : table) {  // the one entry
    const Field range(value, field.name() + "." + std::string(key.str()));
    const std::string kind(key.str());
    bool known = false;
    for (std::string_view k : kRangeKinds) known = known || k == kind;
    if (!known) {
      std::vector<std::string> kinds(std::begin(kRangeKinds), std::end(kRangeKinds));
      Fail(LocationOf(key.source()), field.name() + ": unknown search space '" + kind + "'" +
                                         DidYouMean(kind, kinds) +
                                         "; expected uniform, log_uniform or int_uniform");
    }
    d.kind = kind == "uniform"       ? TuneDimension::Kind::kUniform
             : kind == "log_uniform" ? TuneDimension::Kind::kLogUniform
                                     : TuneDimension::Kind::kIntUniform;
    const toml::array* bounds = value.as_array();
    if (bounds == nullptr || bounds->size() != 2) range.Expected("a list of two numbers [lo, hi]");
    const bool integer = d.kind == TuneDimension::Kind::kIntUniform;
    double b[2];
    for (size_t i = 0; i < 2; ++i) {
      const Field bound((*bounds)[i], range.name() + "[" + std::to_string(i) + "]");
      if (integer) {
        if (!(*bounds)[i].is_integer()) bound.Expected("an integer");
        b[i] = static_cast<double>(bound.Int("an integer", [](int64_t) { return true; }));
      } else {
        b[i] = bound.Number("a finite number", [](double x) { return std::isfinite(x); });
      }
    }
    if (!(b[0] < b[1])) {
      range.Expected("[lo, hi] with lo < hi", "");
    }
    if (d.kind == TuneDimension::Kind::kLogUniform && !(b[0] > 0)) {
      range.Expected("[lo, hi] with 0 < lo < hi (a log-uniform range is positive)");
    }
    d.low = b[0];
    d.high = b[1];
  }
  return d;
}

}  // namespace

std::map<std::string, TuneDimension> ReadTune(const Field& field,
                                              const std::map<std::string, int>& grid_params) {
  const toml::table* table = field.node().as_table();
  if (table == nullptr || table->empty()) {
    field.Expected(
        "a table of searched parameters, e.g. tune = { factors = [32, 64], regularization = "
        "{ log_uniform = [0.001, 1.0] } }");
  }
  std::map<std::string, TuneDimension> out;
  for (const auto& [key, value] : *table) {
    const std::string name(key.str());
    const Field param(value, field.name() + "." + name);
    if (grid_params.count(name)) {
      Fail(LocationOf(key.source()),
           param.name() + ": '" + name + "' is both a grid in params and searched in tune; keep one of them");
    }
    TuneDimension d;
    if (value.is_array()) {
      for (const Field& element : param.Items()) {
        ParamValue v = element.Scalar("a number, boolean or string");
        for (const ParamValue& seen : d.choices) {
          if (seen == v)
            Fail(element.where(), param.name() + ": " + Describe(element.node()) + " is listed twice");
        }
        d.choices.push_back(std::move(v));
      }
      if (d.choices.empty()) param.Expected("at least one choice");
    } else if (value.is_table()) {
      d = ReadRange(param);
    } else {
      param.Expected(
          "a list of choices, or { uniform = [lo, hi] }, { log_uniform = [lo, hi] }, "
          "{ int_uniform = [lo, hi] }");
    }
    d.where = param.where();
    d.key_where = LocationOf(key.source());
    out.emplace(name, std::move(d));
  }
  return out;
}

void ReadTuning(const toml::table& root, ExperimentSpec& spec) {
  TuningSpec& t = spec.tuning;
  t.seed = spec.seed;
  bool tuned = false;
  for (const ArmSpec& arm : spec.arms) tuned = tuned || !arm.tune.empty();
  const toml::node* node = root.get("tuning");
  if (node == nullptr) return;
  if (!node->is_table()) Field(*node, "tuning").Expected("a table ([tuning])");
  TableReader reader(*node->as_table(), "[tuning]", "tuning", kTuningKeys);
  t.present = true;
  t.where["table"] = reader.where();
  if (!tuned) {
    Fail(reader.where(),
         "[tuning]: no arm has a search space; add tune = { parameter = [choices] } to an "
         "[[arms]] table (or remove [tuning])");
  }
  if (auto f = reader.Get("method")) {
    t.method = f->Choice(kTuningMethods);
    t.where["method"] = f->where();
  }
  if (auto f = reader.Get("trials")) {
    t.trials = static_cast<int>(
        f->Int("an integer in [1, 100000]", [](int64_t v) { return v >= 1 && v <= 100000; }));
    t.where["trials"] = f->where();
  }
  if (auto f = reader.Get("metric")) {
    t.metric = f->NonEmptyString();
    t.where["metric"] = f->where();
  }
  if (auto f = reader.Get("seed")) {
    t.seed = static_cast<uint64_t>(f->Int("a non-negative integer", [](int64_t v) { return v >= 0; }));
    t.where["seed"] = f->where();
  }
  if (auto f = reader.Get("refit")) {
    t.refit = f->Bool();
    t.where["refit"] = f->where();
  }
  if (auto f = reader.Get("validation_fraction")) {
    t.validation_fraction = f->Number("a number in (0, 1)", [](double x) { return x > 0 && x < 1; });
    t.where["validation_fraction"] = f->where();
  }
  if (auto f = reader.Get("budget_parameter")) {
    t.budget_parameter = f->NonEmptyString();
    t.where["budget_parameter"] = f->where();
  }
  if (auto f = reader.Get("eta")) {
    t.eta = static_cast<int>(f->Int("an integer in [2, 100]", [](int64_t v) { return v >= 2 && v <= 100; }));
    t.where["eta"] = f->where();
  }
  if (auto f = reader.Get("parallel")) {
    t.parallel = static_cast<int>(f->Int("an integer in [0, 1024] (0 = the whole batch)",
                                         [](int64_t v) { return v >= 0 && v <= 1024; }));
    t.where["parallel"] = f->where();
  }
  if (t.method == "grid") {
    for (const ArmSpec& arm : spec.arms) {
      for (const auto& [name, d] : arm.tune) {
        if (d.kind != TuneDimension::Kind::kChoices) {
          Fail(d.where, "arms." + arm.name + ".tune." + name +
                            ": tuning.method = \"grid\" needs a list of "
                            "choices, not a " +
                            TuneKindName(d.kind) + " range (use method = \"random\" or \"tpe\" for ranges)");
        }
      }
    }
  }
}

nlohmann::json TuningJson(const TuningSpec& t) {
  return {{"method", t.method},
          {"trials", t.trials},
          {"metric", t.metric},
          {"seed", t.seed},
          {"refit", t.refit},
          {"validation_fraction", t.validation_fraction},
          {"budget_parameter", t.budget_parameter},
          {"eta", t.eta},
          {"parallel", t.parallel}};
}

}  // namespace reclift::host::experiment_internal
