#include "engine/plan.h"

#include <xxhash.h>

#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "runner/arm.h"
#include "runner/metric_set.h"
#include "util/error.h"
#include "util/text.h"

namespace reclift::host::engine {
namespace fs = std::filesystem;
namespace {

// Bump when what a cell computes or stores changes meaning.
constexpr int kCellFormat = 1;

std::string Hex128(XXH128_hash_t h) {
  char buf[33];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(h.high64),
                static_cast<unsigned long long>(h.low64));
  return buf;
}

nlohmann::json UseParts(const PluginRegistry& registry, PluginKind kind, const PluginUse& use,
                        const char* what) {
  const LoadedPlugin* loaded = registry.FindLoaded(use.plugin);
  if (loaded == nullptr || loaded->info->kind != kind) {
    throw Error(use.where, std::string(what) + " '" + use.plugin + "' is not a loaded plugin");
  }
  Params params;
  Status s = Params::Build(loaded->info->param_specs(), use.params, params);
  if (!s.ok()) throw Error(use.where, std::string(what) + " '" + use.plugin + "': " + s.message());
  return {{"plugin", PluginId(*loaded->info)},
          {"library", FileHash(loaded->path)},
          {"params", ParamsToJson(params)}};
}

EvalContext DummyContext(const std::vector<int>& ks, const std::vector<float>& popularity,
                         const ItemFeaturesView* features) {
  return EvalContext{1, 1, ks, popularity, features};
}

// The metric names an evaluator provides with its default parameters.
std::vector<std::string> ProvidedMetrics(const PluginRegistry& registry, const std::string& name,
                                         const std::vector<int>& ks) {
  static const std::vector<float> popularity{0.f};
  static const ItemFeaturesView features{};
  std::vector<std::string> out;
  try {
    EvaluatorHandle ev = registry.CreateEvaluator(name);
    Params params;
    if (!Params::Build(ev.info().param_specs(), {}, params).ok()) return out;
    std::vector<int> sorted = ks;
    std::sort(sorted.begin(), sorted.end());
    if (!ev->Configure(params, DummyContext(sorted, popularity, &features)).ok()) return out;
    for (const auto& c : ev->Columns()) out.push_back(c.metric);
  } catch (const std::exception&) {
  }
  return out;
}

// Evaluators: the listed ones (default "ranking"), plus, for a requested
// metric none of them provides, the first loaded evaluator (by name) that does.
EvaluationSpec ResolveEvaluators(const EvaluationSpec& in, const PluginRegistry& registry) {
  EvaluationSpec out = in;
  if (out.evaluators.empty()) {
    PluginUse ranking;
    ranking.plugin = "ranking";
    out.evaluators.push_back(ranking);
  }
  std::set<std::string> provided;
  for (const auto& use : out.evaluators) {
    for (const auto& m : ProvidedMetrics(registry, use.plugin, out.ks)) provided.insert(m);
  }
  for (const auto& metric : out.metrics) {
    if (provided.count(metric) != 0) continue;
    for (const auto& name : registry.Names(PluginKind::kEvaluator)) {
      const auto metrics = ProvidedMetrics(registry, name, out.ks);
      if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) continue;
      PluginUse use;
      use.plugin = name;
      use.where = in.where.count("metrics") ? in.where.at("metrics") : SourceLocation{};
      out.evaluators.push_back(use);
      provided.insert(metrics.begin(), metrics.end());
      break;
    }
  }
  return out;
}

nlohmann::json SplitParts(const nlohmann::json& resolved_split, const SplitGroup& g) {
  nlohmann::json j = resolved_split;
  j["cell_seed"] = g.split.seed;
  j["cell_fold"] = g.fold;
  // what tuning sets on the split: the validation share and whether it
  // goes back into training (refit)
  j["cell_validation_fraction"] = g.split.validation_fraction;
  j["cell_validation_into_train"] = g.split.validation_into_train;
  return j;
}

// The dataset settings that shape the data (paths are left out: moving a
// file does not change its content, which the fingerprint covers).
nlohmann::json DatasetParts(const nlohmann::json& resolved_dataset) {
  nlohmann::json j = resolved_dataset;
  for (const char* k : {"interactions", "items", "path", "directory"}) j.erase(k);
  return j;
}

// The repetitions, their split groups and one cell per repetition and arm.
void PlanCells(const ExperimentSpec& spec, const std::vector<nlohmann::json>& arm_parts,
               const nlohmann::json& evaluation, ExperimentPlan& plan) {
  plan.repetitions = ExperimentCells(spec);
  std::map<std::pair<int, int>, size_t> group_index;
  for (const Cell& c : plan.repetitions) {
    auto [it, fresh] = group_index.try_emplace({c.split_repeat, c.fold}, plan.groups.size());
    if (fresh) {
      SplitGroup g{c.split_repeat, c.fold, spec.split};
      g.split.seed = spec.split.seed + static_cast<uint64_t>(c.split_repeat);
      g.split.fold = c.fold;
      plan.groups.push_back(g);
    }
    plan.group_of.push_back(it->second);
  }
  const nlohmann::json resolved_split =
      spec.resolved.contains("split") ? spec.resolved["split"] : nlohmann::json{};
  const nlohmann::json dataset =
      spec.resolved.contains("dataset") ? DatasetParts(spec.resolved["dataset"]) : nlohmann::json{};
  const bool bucketed = spec.ab.assignment == "bucketed";
  for (size_t r = 0; r < plan.repetitions.size(); ++r) {
    const Cell& rep = plan.repetitions[r];
    const SplitGroup& g = plan.groups[plan.group_of[r]];
    for (size_t a = 0; a < spec.arms.size(); ++a) {
      PlannedCell cell;
      cell.repetition = r;
      cell.group = plan.group_of[r];
      cell.arm = a;
      cell.label = "arm " + spec.arms[a].name + ", split " + std::to_string(rep.split_repeat) + " fold " +
                   std::to_string(rep.fold) + " seed " + std::to_string(rep.seed);
      cell.key_parts = {{"format", kCellFormat},
                        {"slot",
                         {{"arm", spec.arms[a].name},
                          {"split_repeat", rep.split_repeat},
                          {"fold", rep.fold},
                          {"seed", rep.seed}}},
                        {"arm", arm_parts[a]},
                        {"dataset", dataset},
                        {"split", SplitParts(resolved_split, g)},
                        {"evaluation", evaluation},
                        {"seed", rep.seed}};
      if (bucketed) {
        cell.key_parts["assignment"] = {
            {"bucket", a}, {"arms", spec.arms.size()}, {"weights", spec.ab.weights}, {"seed", spec.seed}};
      }
      plan.cells.push_back(std::move(cell));
    }
  }
}

}  // namespace

std::string JsonHash(const nlohmann::json& j) {
  const std::string text = j.dump();
  return Hex128(XXH3_128bits(text.data(), text.size()));
}

std::string CellDataHash(const CellData& cell) {
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  auto put = [&](const auto& span) {
    XXH3_128bits_update(state, span.data(), span.size() * sizeof(span[0]));
  };
  const TrainData& t = cell.train.view();
  put(t.by_user.indptr);
  put(t.by_user.indices);
  put(t.by_user.values);
  put(t.by_user.timestamps);
  for (const UserTest& u : cell.users) {
    XXH3_128bits_update(state, &u.user, sizeof u.user);
    put(u.items);
    put(u.relevant);
    put(u.gains);
  }
  const std::string hash = Hex128(XXH3_128bits_digest(state));
  XXH3_freeState(state);
  return hash;
}

std::string FileHash(const fs::path& file) {
  static std::mutex mutex;
  static std::map<std::string, std::pair<std::string, std::string>> cache;  // path -> (stamp, hash)
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec) return "";
  const auto mtime = fs::last_write_time(file, ec).time_since_epoch().count();
  const std::string stamp = std::to_string(size) + ":" + std::to_string(mtime);
  std::lock_guard<std::mutex> lock(mutex);
  auto it = cache.find(file.string());
  if (it != cache.end() && it->second.first == stamp) return it->second.second;
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  XXH3_state_t* state = XXH3_createState();
  XXH3_128bits_reset(state);
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    XXH3_128bits_update(state, buf.data(), static_cast<size_t>(in.gcount()));
  }
  const std::string hash = Hex128(XXH3_128bits_digest(state));
  XXH3_freeState(state);
  cache[file.string()] = {stamp, hash};
  return hash;
}

nlohmann::json ArmKeyParts(const PluginRegistry& registry, const ArmSpec& arm) {
  nlohmann::json a = UseParts(registry, PluginKind::kRecommender, arm.recommender, "recommender");
  nlohmann::json children = nlohmann::json::array();
  for (const auto& c : arm.children) {
    children.push_back(UseParts(registry, PluginKind::kRecommender, c, "child recommender"));
  }
  a["children"] = children;
  return a;
}

ExperimentPlan MakePlan(const ExperimentSpec& spec, const PluginRegistry& registry) {
  ExperimentPlan plan;
  plan.evaluation = ResolveEvaluators(spec.evaluation, registry);
  {
    // the columns, and every metric check, with a one-user, one-item context
    static const ItemFeaturesView features{};
    const MetricSet metrics(registry, plan.evaluation, 1, 1, {0.f}, &features);
    plan.columns = metrics.columns();
    for (size_t c = 0; c < plan.columns.size(); ++c) plan.column_evaluators.push_back(metrics.EvaluatorId(c));
    if (!spec.ab.primary_metric.empty()) {
      metrics.RequireColumn(
          spec.ab.primary_metric,
          spec.ab.where.count("primary_metric") ? spec.ab.where.at("primary_metric") : SourceLocation{},
          "[ab] primary_metric");
    }
  }
  nlohmann::json evaluators = nlohmann::json::array();
  std::set<fs::path> eval_files;
  for (const auto& use : plan.evaluation.evaluators) {
    evaluators.push_back(UseParts(registry, PluginKind::kEvaluator, use, "evaluator"));
    eval_files.insert(registry.FindLoaded(use.plugin)->path);
  }
  const nlohmann::json evaluation = {
      {"ks", plan.evaluation.ks},
      {"metrics", plan.evaluation.metrics},
      {"evaluators", evaluators},
      {"candidates", plan.evaluation.candidates},
      {"negatives", plan.evaluation.negatives},
      {"candidates_file",
       plan.evaluation.candidates == "file" ? FileHash(plan.evaluation.candidates_file) : ""},
      {"trec_lists", spec.evaluation.export_trec}};

  plan.evaluation_parts = evaluation;

  // the arms: plugins, parameters, the libraries a cell loads
  std::vector<nlohmann::json> arm_parts;
  for (const ArmSpec& arm : spec.arms) {
    arm_parts.push_back(ArmKeyParts(registry, arm));
    std::set<fs::path> files = eval_files;
    files.insert(registry.FindLoaded(arm.recommender.plugin)->path);
    for (const auto& c : arm.children) files.insert(registry.FindLoaded(c.plugin)->path);
    plan.arm_plugins.emplace_back(files.begin(), files.end());
  }

  PlanCells(spec, arm_parts, evaluation, plan);
  return plan;
}

void SealKeys(ExperimentPlan& plan, const std::string& fingerprint) {
  for (auto& cell : plan.cells) {
    cell.key_parts["dataset"]["fingerprint"] = fingerprint;
    nlohmann::json hashed = cell.key_parts;
    hashed.erase("slot");  // the arm's name does not change its output
    cell.key = JsonHash(hashed);
  }
}

std::string KeyChange(const nlohmann::json& old_parts, const nlohmann::json& new_parts) {
  std::vector<std::string> why;
  auto differs = [&](const char* k) {
    return !old_parts.contains(k) || !new_parts.contains(k) || old_parts[k] != new_parts[k];
  };
  if (differs("arm")) {
    const auto& o = old_parts.value("arm", nlohmann::json::object());
    const auto& n = new_parts["arm"];
    if (o.value("plugin", "") != n.value("plugin", "")) {
      why.push_back("plugin " + o.value("plugin", std::string("?")) + " -> " + n.value("plugin", ""));
    } else if (o.value("library", "") != n.value("library", "")) {
      why.push_back("the library of " + n.value("plugin", std::string("?")) + " was rebuilt");
    }
    if (o.value("params", nlohmann::json()) != n.value("params", nlohmann::json())) {
      why.push_back("parameters changed");
    }
    if (o.value("children", nlohmann::json()) != n.value("children", nlohmann::json())) {
      why.push_back("children changed");
    }
  }
  if (differs("dataset")) why.push_back("the dataset changed");
  if (differs("split")) why.push_back("the split changed");
  if (differs("evaluation")) why.push_back("the evaluation changed");
  if (differs("assignment")) why.push_back("the assignment changed");
  if (differs("format")) why.push_back("the cell format changed");
  if (why.empty()) why.push_back("its key changed");
  return Join(why, ", ");
}

}  // namespace reclift::host::engine
