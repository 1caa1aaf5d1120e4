// [[scenarios]]: cold-start users, cold-start items and diversity re-ranking,
// each a table with a `kind` and the keys of that kind.
#include "experiment/scenarios_read.h"

#include <algorithm>
#include <cmath>
#include <string_view>

#include "experiment/toml_read.h"
#include "util/text.h"

namespace reclift::host {

namespace experiment_internal {
namespace {

inline constexpr std::string_view kScenarioKinds[] = {"cold-start-users", "cold-start-items", "diversity"};
inline constexpr std::string_view kColdStartModes[] = {"retrain", "fold-in", "both"};
inline constexpr std::string_view kRerankers[] = {"mmr", "calibration"};
inline constexpr std::string_view kSimilarities[] = {"features", "cooccurrence"};

// Which kinds read a key; keys every kind reads are not listed.
struct KindKey {
  std::string_view key;
  std::string_view kind;
};
inline constexpr KindKey kKindKeys[] = {
    {"user_fraction", "cold-start-users"},
    {"shots", "cold-start-users"},
    {"mode", "cold-start-users"},
    {"metric", "cold-start-users"},
    {"item_fraction", "cold-start-items"},
    {"reranker", "diversity"},
    {"lambda", "diversity"},
    {"similarity", "diversity"},
    {"candidates", "diversity"},
    {"metrics", "diversity"},
};
inline constexpr std::string_view kScenarioKeys[] = {
    "kind",          "arms",     "seed",   "user_fraction", "shots",      "mode",   "metric",
    "item_fraction", "reranker", "lambda", "similarity",    "candidates", "metrics"};

// The largest number of shots: a user needs more interactions than this to be held out.
constexpr int64_t kMaxShots = 100000;

bool InOpenUnitInterval(double x) {
  return x > 0 && x < 1;
}
bool InUnitInterval(double x) {
  return x >= 0 && x <= 1;
}
bool NonNegativeInt(int64_t v) {
  return v >= 0;
}
bool ShotCount(int64_t v) {
  return v >= 0 && v <= kMaxShots;
}
bool CandidateCount(int64_t v) {
  return v >= 1 && v <= 1000000;
}

std::string AtLine(const SourceLocation& where) {
  return where.line > 0 ? "at line " + std::to_string(where.line) : "at " + where.ToString();
}

// The arms a scenario names: expanded arm names, or grid names standing for
// every arm of the grid; kept in the experiment's arm order.
std::vector<std::string> ReadArmNames(const Field& field, const ExperimentSpec& spec,
                                      const std::map<std::string, std::vector<std::string>>& grid_names) {
  std::vector<std::string> known;
  for (const ArmSpec& arm : spec.arms) known.push_back(arm.name);
  std::vector<std::string> chosen;
  for (const Field& item : field.Items()) {
    const std::string name = item.NonEmptyString();
    std::vector<std::string> expanded;
    if (std::find(known.begin(), known.end(), name) != known.end()) {
      expanded.push_back(name);
    } else if (auto grid = grid_names.find(name); grid != grid_names.end()) {
      expanded = grid->second;
    } else {
      std::vector<std::string> names = known;
      for (const auto& [grid, arms] : grid_names) names.push_back(grid);
      std::string hint = DidYouMean(name, names);
      if (hint.empty()) hint = " (arms: " + Join(known, ", ") + ")";
      Fail(item.where(), field.name() + ": no arm named '" + name + "'" + hint);
    }
    for (const std::string& arm : expanded) {
      if (std::find(chosen.begin(), chosen.end(), arm) != chosen.end()) {
        Fail(item.where(), field.name() + ": arm '" + arm + "' is listed twice");
      }
      chosen.push_back(arm);
    }
  }
  if (chosen.empty()) field.Expected("at least one arm name");
  std::vector<std::string> ordered;
  for (const std::string& arm : known) {
    if (std::find(chosen.begin(), chosen.end(), arm) != chosen.end()) ordered.push_back(arm);
  }
  return ordered;
}

ScenarioSpec ReadScenario(const toml::table& table, const ExperimentSpec& spec,
                          const std::map<std::string, std::vector<std::string>>& grid_names) {
  TableReader reader(table, "[[scenarios]]", "scenarios", kScenarioKeys);
  ScenarioSpec s;
  s.where = reader.where();
  s.seed = spec.seed;
  auto kind = reader.Get("kind");
  if (!kind) {
    Fail(reader.where(),
         "missing required key 'kind' in [[scenarios]] (one of " + JoinViews(kScenarioKinds, ", ") + ")");
  }
  s.kind = kind->Choice(kScenarioKinds);
  s.key_where["kind"] = kind->where();
  // a key of another kind would be silently ignored: say so instead
  for (const KindKey& kk : kKindKeys) {
    if (kk.kind == s.kind) continue;
    auto f = reader.Get(kk.key);
    if (!f) continue;
    bool own = false;
    for (const KindKey& other : kKindKeys) own = own || (other.key == kk.key && other.kind == s.kind);
    if (!own) {
      Fail(f->where(),
           f->name() + ": only used with kind = \"" + std::string(kk.kind) + "\", not \"" + s.kind + "\"");
    }
  }
  auto remember = [&](const Field& f, std::string_view key) { s.key_where[std::string(key)] = f.where(); };

  if (auto f = reader.Get("arms")) {
    s.arms = ReadArmNames(*f, spec, grid_names);
    remember(*f, "arms");
  }
  if (auto f = reader.Get("seed")) {
    s.seed = static_cast<uint64_t>(f->Int("a non-negative integer", NonNegativeInt));
    remember(*f, "seed");
  }

  if (auto f = reader.Get("user_fraction")) {
    s.user_fraction = f->Number("a number in (0, 1)", InOpenUnitInterval);
    remember(*f, "user_fraction");
  }
  if (auto f = reader.Get("shots")) {
    s.shots.clear();
    for (const Field& item : f->Items()) {
      const int n = static_cast<int>(item.Int("an integer in [0, 100000]", ShotCount));
      if (std::find(s.shots.begin(), s.shots.end(), n) != s.shots.end()) {
        Fail(item.where(), f->name() + ": " + std::to_string(n) + " is listed twice");
      }
      s.shots.push_back(n);
    }
    if (s.shots.empty()) f->Expected("at least one number of interactions, e.g. [0, 1, 3, 5, 10]");
    std::sort(s.shots.begin(), s.shots.end());
    remember(*f, "shots");
  }
  if (auto f = reader.Get("mode")) {
    s.mode = f->Choice(kColdStartModes);
    remember(*f, "mode");
  }
  if (auto f = reader.Get("metric")) {
    s.metric = f->NonEmptyString();
    remember(*f, "metric");
  } else if (s.kind == "cold-start-users") {
    s.metric = spec.ab.primary_metric;
  }

  if (auto f = reader.Get("item_fraction")) {
    s.item_fraction = f->Number("a number in (0, 1)", InOpenUnitInterval);
    remember(*f, "item_fraction");
  }

  if (auto f = reader.Get("reranker")) {
    s.reranker = f->Choice(kRerankers);
    remember(*f, "reranker");
  }
  if (auto f = reader.Get("lambda")) {
    s.lambdas.clear();
    for (const Field& item : f->Items()) {
      const double x = item.Number("a number in [0, 1]", InUnitInterval);
      if (std::find(s.lambdas.begin(), s.lambdas.end(), x) != s.lambdas.end()) {
        Fail(item.where(), f->name() + ": " + FormatDouble(x) + " is listed twice");
      }
      s.lambdas.push_back(x);
    }
    if (s.lambdas.empty()) f->Expected("at least one weight in [0, 1], e.g. [0.0, 0.3, 0.6, 0.9]");
    std::sort(s.lambdas.begin(), s.lambdas.end());
    remember(*f, "lambda");
  }
  if (auto f = reader.Get("similarity")) {
    if (s.reranker != "mmr") {
      Fail(f->where(), f->name() +
                           ": only used with reranker = \"mmr\" (calibration compares category "
                           "distributions, not item pairs)");
    }
    s.similarity = f->Choice(kSimilarities);
    remember(*f, "similarity");
  }
  if (auto f = reader.Get("candidates")) {
    s.candidates = static_cast<int>(f->Int("an integer in [1, 1000000]", CandidateCount));
    remember(*f, "candidates");
  }
  if (s.kind == "diversity") {
    const int max_k = *std::max_element(spec.evaluation.ks.begin(), spec.evaluation.ks.end());
    if (s.candidates < max_k) {
      Fail(s.At("candidates"),
           "scenarios.candidates: expected at least " + std::to_string(max_k) +
               " (the largest evaluation.k: the re-ranker fills lists that long), found " +
               std::to_string(s.candidates));
    }
  }
  if (auto f = reader.Get("metrics")) {
    for (const Field& item : f->Items()) {
      std::string metric = item.NonEmptyString();
      if (std::find(s.metrics.begin(), s.metrics.end(), metric) != s.metrics.end()) {
        Fail(item.where(), f->name() + ": '" + metric + "' is listed twice");
      }
      s.metrics.push_back(std::move(metric));
    }
    if (s.metrics.size() < 2) {
      f->Expected("an accuracy column and at least one diversity column, e.g. [\"ndcg@10\", \"ild@10\"]");
    }
    remember(*f, "metrics");
  }
  return s;
}

// Two scenarios that would write the same results section.
std::string Identity(const ScenarioSpec& s) {
  if (s.kind != "diversity") return s.kind;
  return s.kind + "/" + s.reranker + (s.reranker == "mmr" ? "/" + s.similarity : "");
}

}  // namespace

void ReadScenarios(const toml::table& root, ExperimentSpec& spec,
                   const std::map<std::string, std::vector<std::string>>& grid_names) {
  const toml::node* node = root.get("scenarios");
  if (node == nullptr) return;
  const toml::array* tables = node->as_array();
  if (tables == nullptr || !tables->is_array_of_tables()) {
    Field(*node, "scenarios").Expected("a list of tables ([[scenarios]] with kind = \"...\")");
  }
  for (const toml::node& element : *tables) {
    ScenarioSpec s = ReadScenario(*element.as_table(), spec, grid_names);
    for (const ScenarioSpec& earlier : spec.scenarios) {
      if (Identity(earlier) != Identity(s)) continue;
      const std::string what =
          s.kind == "diversity"
              ? "a diversity scenario with reranker = \"" + s.reranker + "\"" +
                    (s.reranker == "mmr" ? " and similarity = \"" + s.similarity + "\"" : "")
              : "kind = \"" + s.kind + "\"";
      Fail(s.At("kind"), "[[scenarios]]: " + what + " is declared twice (first " + AtLine(earlier.where) +
                             "); list all its values in one table");
    }
    spec.scenarios.push_back(std::move(s));
  }
}

}  // namespace experiment_internal

nlohmann::json ScenariosJson(const std::vector<ScenarioSpec>& scenarios) {
  nlohmann::json out = nlohmann::json::array();
  for (const ScenarioSpec& s : scenarios) {
    nlohmann::json j = {{"kind", s.kind}, {"arms", s.arms}, {"seed", s.seed}};
    if (s.kind == "cold-start-users") {
      j["user_fraction"] = s.user_fraction;
      j["shots"] = s.shots;
      j["mode"] = s.mode;
      j["metric"] = s.metric;
    } else if (s.kind == "cold-start-items") {
      j["item_fraction"] = s.item_fraction;
    } else {
      j["reranker"] = s.reranker;
      j["lambda"] = s.lambdas;
      if (s.reranker == "mmr") j["similarity"] = s.similarity;
      j["candidates"] = s.candidates;
      j["metrics"] = s.metrics;
    }
    out.push_back(std::move(j));
  }
  return out;
}

}  // namespace reclift::host
