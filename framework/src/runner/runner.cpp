#include "runner/runner.h"

#include <spdlog/spdlog.h>
#include <tbb/info.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <set>

#include "engine/plan.h"
#include "engine/run_folder.h"
#include "ope/ope.h"
#include "report/html.h"
#include "report/render.h"
#include "results/results.h"
#include "runner/repeats.h"
#include "runner/stages.h"
#include "runner/trec.h"
#include "scenarios/scenarios.h"
#include "tuning/stage.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace reclift::host {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string UtcNow(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

// The cells of one repetition, in arm order.
std::vector<const engine::CellResult*> ArmsOf(const engine::ExperimentPlan& plan,
                                              const std::vector<engine::CellResult>& results,
                                              size_t repetition) {
  std::vector<const engine::CellResult*> arms;
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    if (plan.cells[i].repetition == repetition) arms.push_back(&results[i]);
  }
  return arms;
}

engine::RunFolder OpenRunFolder(const ExperimentSpec& spec, const RunOptions& options) {
  if (!options.resume.empty()) {
    spdlog::info("resuming {}", options.resume.string());
    return engine::RunFolder::Resume(options.resume);
  }
  const fs::path root = !options.output.empty() ? options.output : spec.output;
  engine::RunFolder folder = engine::RunFolder::Create(root, options.run_dir);
  if (options.run_dir.empty()) engine::PointLatest(folder.dir());
  return folder;
}

// Prepares, executes and analyses one split group (the main one is kept by
// the caller for the scenarios, the per-user values and TREC files).
void RunGroup(const RunEnv& env, const Dataset& data, size_t group, const PreparedGroup& prepared,
              const engine::RunFolder& folder, const std::map<std::string, engine::StoredCell>& store,
              const ExecuteOptions& options, std::vector<engine::CellResult>& results,
              std::vector<RepetitionAnalysis>& analyses) {
  ExecuteStage(env, group, prepared, folder, store, options, results);
  for (size_t r = 0; r < env.plan.repetitions.size(); ++r) {
    if (env.plan.group_of[r] == group)
      analyses[r] = AnalyseStage(env, prepared, ArmsOf(env.plan, results, r));
  }
}

// Scenarios and off-policy evaluation refit arms in this process: an arm
// whose cell crashed, hung or ran out of memory is left out of them (with a
// warning), so it cannot take the run down there either.
ExperimentSpec WithoutCrashedArms(const RunEnv& env, const std::vector<const engine::CellResult*>& arms,
                                  const char* stage) {
  ExperimentSpec spec = env.spec;
  spec.arms.clear();
  for (size_t a = 0; a < arms.size(); ++a) {
    if (arms[a]->ok || arms[a]->failure == "error") {
      spec.arms.push_back(env.spec.arms[a]);
    } else {
      env.warnings.push_back(std::string(stage) + ": arm " + env.spec.arms[a].name + " is left out (" +
                             arms[a]->error + ")");
    }
  }
  return spec;
}

nlohmann::json RunScenarioStage(const RunEnv& env, const Dataset& data, const PreparedGroup& main,
                                const std::vector<const engine::CellResult*>& arms) {
  nlohmann::json sections = nlohmann::json::object();
  if (!env.spec.scenarios.empty()) {
    const ExperimentSpec spec = WithoutCrashedArms(env, arms, "scenarios");
    const ScenarioEnv scenario_env{spec,       env.registry, data,        main.split,
                                   &main.cell, env.arena,    env.threads, {}};
    sections = RunScenarios(scenario_env, env.warnings);
  }
  // [logged] + [ope]: off-policy evaluation, its own section (ope/ope.h)
  if (env.spec.logged.present) {
    const ExperimentSpec spec = WithoutCrashedArms(env, arms, "ope");
    const nlohmann::json ope =
        RunOffPolicy({spec, env.registry, data, env.arena, env.threads, {}}, env.warnings);
    for (const auto& [key, section] : ope.items()) sections[key] = section;
  }
  return sections;
}

nlohmann::json ColumnsJson(const engine::ExperimentPlan& plan) {
  nlohmann::json cols = nlohmann::json::array();
  for (size_t i = 0; i < plan.columns.size(); ++i) {
    const MetricColumn& c = plan.columns[i];
    cols.push_back({{"name", c.name},
                    {"metric", c.metric},
                    {"k", c.k},
                    {"higher_is_better", c.higher_is_better},
                    {"directional", c.directional},
                    {"aggregation", c.aggregation == Aggregation::kListLevel ? "list" : "mean"},
                    {"evaluator", plan.column_evaluators[i]}});
  }
  return cols;
}

std::vector<int> SortedKs(std::vector<int> ks) {
  std::sort(ks.begin(), ks.end());
  ks.erase(std::unique(ks.begin(), ks.end()), ks.end());
  return ks;
}

nlohmann::json HeaderJson(const RunEnv& env, const LoadedData& loaded, const PreparedGroup& main,
                          const std::string& started_at) {
  const ExperimentSpec& spec = env.spec;
  const Dataset& data = loaded.data;
  nlohmann::json results;
  results["schema_version"] = kResultsSchemaVersion;
  results["reclift_version"] = RECLIFT_VERSION;
  results["experiment"] = {{"name", spec.name},
                           {"description", spec.description},
                           {"file", spec.source_file.string()},
                           {"seed", spec.seed},
                           {"threads", env.threads},
                           {"started_at", started_at},
                           {"seconds", 0.0},
                           {"run_dir", ""}};
  results["config"] = spec.resolved;
  results["dataset"] = {{"name", data.name},
                        {"format", spec.dataset.format},
                        {"fingerprint", data.fingerprint},
                        {"users", data.num_users()},
                        {"items", data.num_items()},
                        {"interactions", data.size()},
                        {"explicit", data.explicit_feedback},
                        {"has_timestamps", data.has_timestamps()},
                        {"positive_threshold", data.positive_threshold},
                        {"load_seconds", loaded.seconds},
                        {"memory_bytes", data.MemoryBytes()},
                        {"bad_rows_skipped", loaded.report.bad_rows_skipped},
                        {"duplicates_merged", loaded.report.duplicates_merged}};
  results["split"] = {
      {"method", spec.split.method},
      {"seed", spec.split.seed},
      {"fold", spec.split.method == "kfold" ? nlohmann::json(main.split_spec.fold) : nlohmann::json(nullptr)},
      {"train", main.split.train.size()},
      {"validation", main.split.validation.size()},
      {"test", main.split.test.size()},
      {"test_users", main.cell.users.size()},
      {"test_users_with_relevant", main.cell.users_with_relevant},
      {"cutoff_time", main.split.cutoff_time},
      {"cells", env.plan.repetitions.size()}};
  results["leakage"] = LeakageJson(main.leakage);
  results["columns"] = ColumnsJson(env.plan);
  results["evaluation"] = {
      {"candidates", spec.evaluation.candidates},
      {"negatives", spec.evaluation.candidates == "sampled" ? nlohmann::json(spec.evaluation.negatives)
                                                            : nlohmann::json(nullptr)},
      {"comparable_to_full_ranking", spec.evaluation.candidates == "all"},
      {"ks", SortedKs(spec.evaluation.ks)}};
  results["profilers"] = main.profilers;
  return results;
}

// Every repetition's own analysis ("cells"), and the spread across them.
void RepetitionsJson(const RunEnv& env, const std::vector<RepetitionAnalysis>& analyses,
                     nlohmann::json& results) {
  nlohmann::json cells = nlohmann::json::array();
  std::vector<std::vector<std::vector<double>>> means;
  for (size_t r = 0; r < analyses.size(); ++r) {
    const Cell& c = env.plan.repetitions[r];
    cells.push_back({{"split_repeat", c.split_repeat},
                     {"fold", c.fold},
                     {"seed", c.seed},
                     {"arms", analyses[r].arms},
                     {"comparisons", analyses[r].comparisons},
                     {"sample_ratio", analyses[r].sample_ratio},
                     {"warnings", analyses[r].ab_warnings}});
    means.push_back(analyses[r].means);
  }
  results["cells"] = std::move(cells);
  results["repeats"] = nullptr;
  if (analyses.size() > 1) {
    std::vector<std::string> names;
    for (const auto& c : env.plan.columns) names.push_back(c.name);
    results["repeats"] = SummariseRepeats(env.spec, env.plan.repetitions, means, names, analyses[0].control);
  }
}

// What the cells of a run add to its log and counts.
struct CellSummary {
  nlohmann::json log = nlohmann::json::array();  // failures, and the main repetition's plugin warnings
  std::set<size_t> failed_arms;                  // arms with a failed cell
  size_t computed = 0, reused = 0;
};

CellSummary SummariseCells(const engine::ExperimentPlan& plan,
                           const std::vector<engine::CellResult>& results) {
  CellSummary out;
  for (size_t i = 0; i < plan.cells.size(); ++i) {
    const engine::CellResult& r = results[i];
    (r.reused ? out.reused : out.computed)++;
    if (!r.ok) {
      out.failed_arms.insert(plan.cells[i].arm);
      out.log.push_back("cell " + r.label + " failed: " + r.error);
    }
    if (plan.cells[i].repetition == 0) {
      for (const auto& line : r.log) out.log.push_back(line);
    }
  }
  return out;
}

nlohmann::json AbJson(const ExperimentSpec& spec, const RepetitionAnalysis& a) {
  return {{"control", spec.arms[a.control].name},
          {"primary_metric", a.primary},
          {"assignment", spec.ab.assignment},
          {"alpha", spec.ab.alpha},
          {"correction", spec.ab.correction},
          {"bootstrap_samples", spec.ab.bootstrap_samples},
          {"power", spec.ab.power},
          {"sample_ratio", a.sample_ratio},
          {"comparisons", a.comparisons},
          {"warnings", a.ab_warnings}};
}

void WriteTrec(const RunEnv& env, const Dataset& data, const PreparedGroup& main,
               const std::vector<const engine::CellResult*>& arms, const fs::path& run_dir, RunOutcome& out) {
  const fs::path trec_dir = run_dir / "trec";
  WriteFileAtomic(trec_dir / "qrels.txt", TrecQrels(data, main.cell, false));
  if (data.explicit_feedback)
    WriteFileAtomic(trec_dir / "qrels-graded.txt", TrecQrels(data, main.cell, true));
  std::vector<std::string> run_files;
  for (size_t a = 0; a < arms.size(); ++a) {
    if (!arms[a]->ok) continue;
    const std::string name = "run-" + env.spec.arms[a].name + ".txt";
    WriteFileAtomic(trec_dir / name, TrecRun(data, main.cell, arms[a]->lists, env.spec.arms[a].name));
    run_files.push_back(name);
  }
  WriteFileAtomic(trec_dir / "README.txt",
                  TrecReadme(env.spec.evaluation.ks, run_files, data.explicit_feedback,
                             data.explicit_feedback ? TrecGainScale(main.cell) : 1.0));
  out.reports.push_back(trec_dir);
}

}  // namespace

fs::path LatestRunDir(const ExperimentSpec& spec, const fs::path& output) {
  const fs::path root = !output.empty() ? output : spec.output;
  const fs::path link = root / "latest";
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  if (ec)
    throw Error("--resume: no previous run of '" + spec.name + "' (" + link.string() + " does not exist)");
  return target.is_absolute() ? target : root / target;
}

std::vector<fs::path> WriteReports(const nlohmann::json& results, const fs::path& dir,
                                   const std::vector<std::string>& formats) {
  std::vector<fs::path> written;
  auto has = [&](const char* f) { return std::find(formats.begin(), formats.end(), f) != formats.end(); };
  auto write = [&](const char* name, const std::string& content) {
    WriteFileAtomic(dir / name, content);
    written.push_back(dir / name);
  };
  write("results.json", results.dump(1));
  if (has("md")) write("summary.md", RenderMarkdown(results));
  if (has("csv")) {
    write("aggregates.csv", RenderAggregateCsv(results));
    write("per_user.csv", RenderPerUserCsv(results));
    // one long-format file per scenario section the run has
    for (const ReportFile& file : RenderScenarioCsvs(results)) write(file.name.c_str(), file.content);
  }
  if (has("html")) write("report.html", RenderHtml(results));
  if (has("latex")) write("results.tex", RenderLatex(results));
  return written;
}

RunOutcome RunExperiment(const ExperimentSpec& file_spec, const PluginRegistry& registry,
                         const RunOptions& options) {
  ExperimentSpec spec = file_spec;  // the tuning stage sets the tuned arms' params
  const auto run_start = Clock::now();
  const std::string started_at = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  const int threads = options.threads > 0 ? options.threads
                      : spec.threads > 0  ? spec.threads
                                          : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  std::vector<std::string> warnings;

  // plan (no data yet: every check that needs none), load, tune, the main split
  engine::ExperimentPlan plan = engine::MakePlan(spec, registry);
  const RunEnv env{spec, registry, plan, arena, threads, warnings};
  const LoadedData loaded = LoadStage(env);
  const Dataset& data = loaded.data;
  // tuning (tuning/stage.h): trials on a validation split carved from
  // training; the chosen values replace the tuned arms' params, and so
  // their cells' keys. Trials are cells too (TrialCellRunners).
  engine::RunFolder folder = OpenRunFolder(spec, options);
  const auto store = engine::ScanCellStore(folder.cells());
  const ExecuteOptions exec{options.isolation.empty() ? spec.isolation : options.isolation,
                            options.parallel_cells > 0 ? options.parallel_cells : spec.parallel_cells};
  TrialCellCounts trial_counts;
  const TrialRunnerFactory trial_cells = TrialCellRunners(env, folder, store, exec, trial_counts);
  const nlohmann::json tuning_section = RunTuningStage(spec, registry, data, arena, warnings, &trial_cells);
  if (!tuning_section.is_null()) plan = engine::MakePlan(spec, registry);
  engine::SealKeys(plan, data.fingerprint);
  const size_t main_group = plan.group_of[0];
  const PreparedGroup main = PrepareStage(env, data, main_group, true);

  // execute and analyse, one split group at a time (only the main one is kept)
  spdlog::info("{} cells ({} repetitions x {} arms), isolation {}, run folder {}", plan.cells.size(),
               plan.repetitions.size(), spec.arms.size(), exec.isolation, folder.dir().string());
  std::vector<engine::CellResult> results(plan.cells.size());
  std::vector<RepetitionAnalysis> analyses(plan.repetitions.size());
  RunGroup(env, data, main_group, main, folder, store, exec, results, analyses);
  for (size_t g = 0; g < plan.groups.size(); ++g) {
    if (g == main_group) continue;
    const PreparedGroup prepared = PrepareStage(env, data, g, false);
    RunGroup(env, data, g, prepared, folder, store, exec, results, analyses);
  }
  const auto main_arms = ArmsOf(plan, results, 0);
  for (const auto& w : analyses[0].ab_warnings) spdlog::warn("{}", w);
  const nlohmann::json scenario_sections = RunScenarioStage(env, data, main, main_arms);

  // write
  RunOutcome outcome;
  const CellSummary cells = SummariseCells(plan, results);
  outcome.cells_computed = cells.computed;
  outcome.cells_reused = cells.reused;
  nlohmann::json doc = HeaderJson(env, loaded, main, started_at);
  doc["arms"] = analyses[0].arms;
  doc["ab"] = AbJson(spec, analyses[0]);
  RepetitionsJson(env, analyses, doc);
  doc["tuning"] = tuning_section;
  doc["per_user"] = PerUserJson(env, data, main, main_arms);
  doc["warnings"] = warnings;
  doc["log"] = cells.log;
  for (const auto& [key, section] : scenario_sections.items()) doc[key] = section;
  doc["experiment"]["engine"] = {{"isolation", exec.isolation},
                                 {"parallel_cells", exec.parallel},
                                 {"cell_timeout", spec.cell_timeout},
                                 {"cell_memory_mb", spec.cell_memory_mb},
                                 {"cells", plan.cells.size()},
                                 {"cells_computed", outcome.cells_computed},
                                 {"cells_reused", outcome.cells_reused},
                                 {"trial_cells_computed", trial_counts.computed},
                                 {"trial_cells_reused", trial_counts.reused}};
  outcome.run_dir = folder.dir();
  doc["experiment"]["run_dir"] = outcome.run_dir.string();
  doc["experiment"]["seconds"] = Seconds(run_start);
  outcome.reports = WriteReports(doc, outcome.run_dir, spec.report.formats);
  if (spec.evaluation.export_trec && spec.ab.assignment != "bucketed") {
    WriteTrec(env, data, main, main_arms, outcome.run_dir, outcome);
  }
  if (cells.failed_arms.empty()) {
    std::error_code ec;
    fs::remove_all(folder.splits(), ec);
  }
  outcome.results_file = outcome.run_dir / "results.json";
  outcome.results = std::move(doc);
  outcome.failed_arms = static_cast<int>(cells.failed_arms.size());
  return outcome;
}

}  // namespace reclift::host
