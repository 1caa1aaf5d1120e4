#include "runner/runner.h"

#include <spdlog/spdlog.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <map>
#include <mutex>
#include <set>

#include "ope/ope.h"
#include "report/html.h"
#include "report/render.h"
#include "results/results.h"
#include "runner/ab.h"
#include "runner/arm.h"
#include "runner/candidates.h"
#include "runner/cell_data.h"
#include "runner/metric_set.h"
#include "runner/repeats.h"
#include "runner/trec.h"
#include "scenarios/scenarios.h"
#include "split/leakage.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/memory.h"
#include "util/text.h"

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

nlohmann::json Num(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

// Passes plugin log lines to spdlog and keeps warnings and errors for the results.
class RunLogger final : public Logger {
 public:
  explicit RunLogger(std::string prefix) : prefix_(std::move(prefix)) {}
  void Log(LogLevel level, const std::string& message) const override {
    const std::string line = prefix_ + message;
    switch (level) {
      case LogLevel::kDebug: spdlog::debug("{}", line); break;
      case LogLevel::kInfo: spdlog::info("{}", line); break;
      case LogLevel::kWarn: spdlog::warn("{}", line); break;
      case LogLevel::kError: spdlog::error("{}", line); break;
    }
    if (level >= LogLevel::kWarn) {
      std::lock_guard<std::mutex> lock(mutex_);
      kept_.push_back(line);
    }
  }
  std::vector<std::string> Kept() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return kept_;
  }

 private:
  std::string prefix_;
  mutable std::mutex mutex_;
  mutable std::vector<std::string> kept_;
};

struct ArmRun {
  std::string name;
  std::string recommender;
  std::string plugin;
  nlohmann::json params = nlohmann::json::object();
  bool ok = false;
  std::string error;
  double fit_seconds = 0, eval_seconds = 0;
  size_t peak_rss = 0, model_rss = 0;
  std::vector<double> values;       // users x columns
  std::vector<double> list_values;  // per column (list-level only)
};

void Progress(bool on, const std::string& text) {
  if (on) std::fprintf(stderr, "\r\033[K%s", text.c_str());
}

fs::path MakeRunDir(const fs::path& root) {
  const std::string stamp = UtcNow("%Y%m%d-%H%M%S");
  fs::path dir = root / stamp;
  for (int n = 2; fs::exists(dir); ++n) dir = root / (stamp + "-" + std::to_string(n));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create the run folder " + dir.string() + ": " + ec.message());
  return dir;
}

void PointLatest(const fs::path& run_dir) {
  // reports/<name>/latest -> <timestamp>, replaced atomically
  const fs::path link = run_dir.parent_path() / "latest";
  const fs::path tmp = run_dir.parent_path() / (".latest-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::create_directory_symlink(run_dir.filename(), tmp, ec);
  if (!ec) fs::rename(tmp, link, ec);
  if (ec) fs::remove(tmp, ec);
}

}  // namespace

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

RunOutcome RunExperiment(const ExperimentSpec& spec, const PluginRegistry& registry,
                         const RunOptions& options) {
  const auto run_start = Clock::now();
  const std::string started_at = UtcNow("%Y-%m-%dT%H:%M:%SZ");
  const int threads = options.threads > 0 ? options.threads
                      : spec.threads > 0  ? spec.threads
                                          : tbb::info::default_concurrency();
  tbb::task_arena arena(threads);
  std::vector<std::string> warnings;
  const bool progress = options.progress && ::isatty(2);

  // 1. data
  spdlog::info("loading dataset ({})", spec.dataset.format);
  auto t0 = Clock::now();
  LoadReport load;
  // LoadDataset reads every format, the synthetic generator included, and
  // applies the positive threshold
  Dataset data = arena.execute([&] { return LoadDataset(spec.dataset, &load); });
  const double load_seconds = Seconds(t0);
  for (const auto& note : load.notes) spdlog::info("dataset: {}", note);
  spdlog::info("dataset: {} users, {} items, {} interactions in {:.2f} s", data.num_users(), data.num_items(),
               data.size(), load_seconds);

  // 2. split (the first cell's; see runner/repeats.h for the others), its
  // leakage check, and the cell data
  const std::vector<Cell> cells = ExperimentCells(spec);
  SplitSpec split_spec = spec.split;
  split_spec.fold = cells.front().fold;
  const Split split = MakeSplit(data, split_spec);
  for (const auto& note : split.notes) spdlog::info("split: {}", note);
  size_t largest_grid = 1;  // arms of one grid share their [[arms]] table's location
  {
    std::map<std::pair<int, int>, size_t> per_table;
    for (const ArmSpec& a : spec.arms) {
      largest_grid = std::max(largest_grid, ++per_table[{a.where.line, a.where.column}]);
    }
  }
  const LeakageReport leakage = CheckLeakage(data, split, split_spec, largest_grid);
  for (const auto& f : leakage.findings) {
    spdlog::warn("leakage ({}): {}", f.kind, f.message);
    warnings.push_back("leakage (" + f.kind + "): " + f.message);
  }
  EnforceLeakagePolicy(leakage, split_spec);
  CellData cell = BuildCellData(data, split);
  const TrainData& train = cell.train.view();
  const size_t num_users = cell.users.size();
  spdlog::info("split ({}): {} train, {} test interactions; {} test users, {} with relevant test items",
               spec.split.method, split.train.size(), split.test.size(), num_users, cell.users_with_relevant);
  if (cell.users_with_relevant == 0) {
    throw Error(spec.split.where.count("method") ? spec.split.where.at("method") : SourceLocation{},
                "no user has a relevant test item after the split; check split.test_fraction and "
                "dataset.positive_threshold");
  }

  // 3. profilers
  std::vector<Segmentation> segmentations;
  nlohmann::json profilers_json = nlohmann::json::array();
  for (const auto& use : spec.profilers) {
    ProfilerHandle prof = registry.CreateProfiler(use.plugin);
    Params params;
    Status s = Params::Build(prof.info().param_specs(), use.params, params);
    if (!s.ok()) throw Error(use.where, "profiler '" + use.plugin + "': " + s.message());
    RunLogger logger("profiler " + use.plugin + ": ");
    Context ctx{spec.seed, threads, &logger, nullptr};
    std::vector<std::string> names;
    std::vector<uint32_t> of_all(train.num_users, 0);
    s = arena.execute([&] {
      Status st = prof->Fit(train, params, ctx);
      return st.ok() ? prof->Segments(names, of_all) : st;
    });
    if (!s.ok()) {
      const std::string msg = "profiler '" + use.plugin + "' failed and is left out: " + s.ToString();
      spdlog::error("{}", msg);
      warnings.push_back(msg);
      continue;
    }
    Segmentation seg{use.plugin, names, {}};
    std::vector<size_t> counts(names.size(), 0);
    for (const auto& ut : cell.users) {
      const uint32_t g = of_all[ut.user] < names.size() ? of_all[ut.user] : 0;
      seg.of_user.push_back(g);
      ++counts[g];
    }
    profilers_json.push_back(
        {{"name", use.plugin}, {"plugin", PluginId(prof.info())}, {"segments", names}, {"users", counts}});
    segmentations.push_back(std::move(seg));
  }

  // 4. evaluators and the selected columns
  const ItemFeaturesView features = train.item_features;
  const MetricSet metrics(registry, spec.evaluation, train.num_users, train.num_items, cell.item_popularity,
                          &features);
  const std::vector<MetricColumn>& columns = metrics.columns();
  const size_t nc = columns.size();
  if (!spec.ab.primary_metric.empty()) {
    metrics.RequireColumn(
        spec.ab.primary_metric,
        spec.ab.where.count("primary_metric") ? spec.ab.where.at("primary_metric") : SourceLocation{},
        "[ab] primary_metric");
  }

  // candidates other than the whole catalogue
  std::vector<std::vector<uint32_t>> candidates;
  const std::string& candidate_mode = spec.evaluation.candidates;
  if (candidate_mode == "sampled") {
    candidates = SampleCandidates(cell, train.num_items, spec.evaluation.negatives, spec.seed);
    warnings.push_back("sampled evaluation: each user ranks its test items among " +
                       std::to_string(spec.evaluation.negatives) +
                       " random negatives; the metrics are not comparable to full ranking");
  } else if (candidate_mode == "file") {
    candidates = LoadCandidates(spec.evaluation.candidates_file, data, cell);
  }
  const std::vector<std::vector<uint32_t>>* candidates_ptr = candidate_mode == "all" ? nullptr : &candidates;

  // bucketed assignment: every user is hashed into one arm, like an online test
  const bool bucketed = spec.ab.assignment == "bucketed";
  std::vector<uint32_t> bucket_of(num_users, 0);
  if (bucketed) bucket_of = AssignBuckets(cell, data, spec.arms.size(), spec.ab.weights, spec.seed);

  // 5. arms
  std::vector<ArmRun> runs;
  nlohmann::json log = nlohmann::json::array();
  std::vector<std::pair<std::string, std::string>> trec_runs;  // (file name, content)
  for (size_t arm_index = 0; arm_index < spec.arms.size(); ++arm_index) {
    const ArmSpec& arm = spec.arms[arm_index];
    ArmRun run;
    run.name = arm.name;
    run.recommender = arm.recommender.plugin;
    RunLogger logger("arm " + arm.name + ": ");
    const bool reset = ResetPeakRss();
    const size_t rss_before = CurrentRssBytes();
    try {
      Context ctx{spec.seed, threads, &logger, nullptr};
      Progress(progress, "arm " + arm.name + ": fitting");
      spdlog::info("arm {}: fitting {}", arm.name, arm.recommender.plugin);
      FittedArm fitted = FitArm(registry, arm, train, ctx, arena);
      run.plugin = fitted.plugin;
      run.params = fitted.params;
      run.fit_seconds = fitted.fit_seconds;
      run.model_rss = CurrentRssBytes() > rss_before ? CurrentRssBytes() - rss_before : 0;

      const auto eval_start = Clock::now();
      Progress(progress, "arm " + arm.name + ": ranking " + std::to_string(num_users) + " users");
      if (!bucketed) {
        const RankedLists ranked =
            RankTestUsers(fitted, train, cell.users, metrics.max_k(), arena, candidates_ptr);
        const std::vector<UserEvalInput> inputs = EvalInputs(cell.users, ranked);
        Status s = metrics.Evaluate(inputs, arena, run.values, run.list_values);
        if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
        if (spec.evaluation.export_trec) {
          trec_runs.emplace_back("run-" + arm.name + ".txt", TrecRun(data, cell, ranked.lists, arm.name));
        }
      } else {
        // only this arm's bucket is evaluated; the other users stay NaN
        std::vector<UserTest> mine;
        std::vector<size_t> where;
        std::vector<std::vector<uint32_t>> my_candidates;
        for (size_t u = 0; u < num_users; ++u) {
          if (bucket_of[u] != arm_index) continue;
          mine.push_back(cell.users[u]);
          where.push_back(u);
          if (candidates_ptr != nullptr) my_candidates.push_back(candidates[u]);
        }
        const RankedLists ranked = RankTestUsers(fitted, train, mine, metrics.max_k(), arena,
                                                 candidates_ptr != nullptr ? &my_candidates : nullptr);
        std::vector<double> values;
        Status s = metrics.Evaluate(EvalInputs(mine, ranked), arena, values, run.list_values);
        if (!s.ok()) throw Error("evaluation failed: " + s.ToString());
        run.values.assign(num_users * nc, NAN);
        for (size_t i = 0; i < where.size(); ++i) {
          std::copy_n(values.begin() + i * nc, nc, run.values.begin() + where[i] * nc);
        }
      }
      run.eval_seconds = Seconds(eval_start);
      run.ok = true;
    } catch (const std::exception& e) {
      run.ok = false;
      run.error = e.what();
      run.values.clear();
      spdlog::error("arm {} failed: {}", arm.name, run.error);
      log.push_back("arm " + arm.name + " failed: " + run.error);
    }
    Progress(progress, "");
    run.peak_rss = reset ? PeakRssBytes() : 0;
    for (auto& line : logger.Kept()) log.push_back(line);
    if (run.ok) {
      spdlog::info("arm {}: fit {:.2f} s, evaluation {:.2f} s", arm.name, run.fit_seconds, run.eval_seconds);
    }
    runs.push_back(std::move(run));
  }

  // 6. aggregates
  nlohmann::json arms_json = nlohmann::json::array();
  int failed = 0;
  for (const auto& run : runs) {
    nlohmann::json j;
    j["name"] = run.name;
    j["recommender"] = run.recommender;
    j["plugin"] = run.plugin;
    j["params"] = run.params;
    j["status"] = run.ok ? "ok" : "failed";
    if (!run.ok) j["error"] = run.error;
    failed += run.ok ? 0 : 1;
    j["fit_seconds"] = run.fit_seconds;
    j["eval_seconds"] = run.eval_seconds;
    j["peak_rss_bytes"] = run.peak_rss;
    j["model_rss_bytes"] = run.model_rss;
    j["users_evaluated"] = run.ok ? num_users : 0;
    nlohmann::json metrics = nlohmann::json::object();
    nlohmann::json segs = nlohmann::json::object();
    if (run.ok) {
      for (size_t c = 0; c < nc; ++c) {
        if (columns[c].aggregation == Aggregation::kListLevel) {
          metrics[columns[c].name] = {
              {"mean", Num(run.list_values[c])}, {"ci_low", nullptr}, {"ci_high", nullptr}, {"n", num_users}};
        } else {
          metrics[columns[c].name] = SummariseColumn(run.values, nc, c, nullptr, spec.ab.alpha);
        }
      }
      for (const auto& seg : segmentations) {
        for (size_t g = 0; g < seg.names.size(); ++g) {
          std::vector<uint32_t> subset;
          for (size_t u = 0; u < num_users; ++u) {
            if (seg.of_user[u] == g) subset.push_back(static_cast<uint32_t>(u));
          }
          nlohmann::json m = nlohmann::json::object();
          for (size_t c = 0; c < nc; ++c) {
            if (columns[c].aggregation == Aggregation::kMeanOverUsers) {
              m[columns[c].name] = SummariseColumn(run.values, nc, c, &subset, spec.ab.alpha);
            }
          }
          segs[seg.profiler][seg.names[g]] = m;
        }
      }
    }
    j["metrics"] = metrics;
    j["segments"] = segs;
    arms_json.push_back(std::move(j));
  }

  // 7. A/B statistics
  size_t control = 0;
  if (!spec.ab.control.empty()) {
    for (size_t a = 0; a < runs.size(); ++a) {
      if (runs[a].name == spec.ab.control) control = a;
    }
  }
  std::string primary = spec.ab.primary_metric;
  if (primary.empty() && !columns.empty()) primary = columns.front().name;
  nlohmann::json comparisons = nlohmann::json::array();
  std::vector<std::string> ab_warnings;
  if (!runs[control].ok) {
    ab_warnings.push_back("the control arm '" + runs[control].name + "' failed: no comparison is possible");
  } else {
    std::vector<ArmValues> av;
    for (const auto& r : runs) av.push_back({r.name, r.ok, &r.values});
    comparisons =
        CompareArms(av, control, columns, num_users, segmentations, spec.ab, spec.seed, ab_warnings);
  }
  nlohmann::json repeats = nullptr;
  if (cells.size() > 1) {
    std::vector<std::vector<double>> first_means(runs.size(), std::vector<double>(nc, NAN));
    std::vector<std::string> names;
    for (const auto& c : columns) names.push_back(c.name);
    for (size_t a = 0; a < runs.size(); ++a) {
      if (!runs[a].ok) continue;
      for (size_t c = 0; c < nc; ++c) {
        if (columns[c].aggregation == Aggregation::kListLevel) {
          first_means[a][c] = runs[a].list_values[c];
          continue;
        }
        double sum = 0;
        size_t n = 0;
        for (size_t u = 0; u < num_users; ++u) {
          const double v = runs[a].values[u * nc + c];
          if (!std::isnan(v)) sum += v, ++n;
        }
        first_means[a][c] = n > 0 ? sum / static_cast<double>(n) : NAN;
      }
    }
    repeats = RunRepeats(spec, registry, data, cells, first_means, names, control, arena, warnings);
  }
  nlohmann::json sample_ratio = nullptr;
  if (bucketed && runs[control].ok) {
    std::vector<ArmRunView> views;
    for (const auto& r : runs) views.push_back({r.name, r.ok, &r.values});
    size_t primary_column = 0;
    for (size_t c = 0; c < nc; ++c) {
      if (columns[c].name == primary) primary_column = c;
    }
    sample_ratio = SampleRatio(views, spec.ab.weights, nc, primary_column, ab_warnings);
  }
  for (const auto& w : ab_warnings) spdlog::warn("{}", w);

  // 7b. [[scenarios]]: cold-start users and items, diversity; each its own section
  const ScenarioEnv scenario_env{spec, registry, data, split, &cell, arena, threads, {}};
  const nlohmann::json scenario_sections = RunScenarios(scenario_env, warnings);
  // 7c. [logged] + [ope]: off-policy evaluation, its own section (ope/ope.h)
  const nlohmann::json ope_sections = RunOffPolicy({spec, registry, data, arena, threads, {}}, warnings);

  // 8. results.json
  nlohmann::json results;
  results["schema_version"] = kResultsSchemaVersion;
  results["reclift_version"] = RECLIFT_VERSION;
  results["experiment"] = {{"name", spec.name},
                           {"description", spec.description},
                           {"file", spec.source_file.string()},
                           {"seed", spec.seed},
                           {"threads", threads},
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
                        {"load_seconds", load_seconds},
                        {"memory_bytes", data.MemoryBytes()},
                        {"bad_rows_skipped", load.bad_rows_skipped},
                        {"duplicates_merged", load.duplicates_merged}};
  results["split"] = {
      {"method", spec.split.method},
      {"seed", spec.split.seed},
      {"fold", spec.split.method == "kfold" ? nlohmann::json(split_spec.fold) : nlohmann::json(nullptr)},
      {"train", split.train.size()},
      {"validation", split.validation.size()},
      {"test", split.test.size()},
      {"test_users", num_users},
      {"test_users_with_relevant", cell.users_with_relevant},
      {"cutoff_time", split.cutoff_time},
      {"cells", cells.size()}};
  results["leakage"] = LeakageJson(leakage);
  results["repeats"] = repeats;
  nlohmann::json cols_json = nlohmann::json::array();
  for (size_t c = 0; c < nc; ++c) {
    cols_json.push_back({{"name", columns[c].name},
                         {"metric", columns[c].metric},
                         {"k", columns[c].k},
                         {"higher_is_better", columns[c].higher_is_better},
                         {"directional", columns[c].directional},
                         {"aggregation", columns[c].aggregation == Aggregation::kListLevel ? "list" : "mean"},
                         {"evaluator", metrics.EvaluatorId(c)}});
  }
  results["columns"] = cols_json;
  results["evaluation"] = {
      {"candidates", candidate_mode},
      {"negatives",
       candidate_mode == "sampled" ? nlohmann::json(spec.evaluation.negatives) : nlohmann::json(nullptr)},
      {"comparable_to_full_ranking", candidate_mode == "all"},
      {"ks", metrics.ks()}};
  results["profilers"] = profilers_json;
  results["arms"] = arms_json;
  results["ab"] = {{"control", runs[control].name},    {"primary_metric", primary},
                   {"assignment", spec.ab.assignment}, {"alpha", spec.ab.alpha},
                   {"correction", spec.ab.correction}, {"bootstrap_samples", spec.ab.bootstrap_samples},
                   {"power", spec.ab.power},           {"sample_ratio", sample_ratio},
                   {"comparisons", comparisons},       {"warnings", ab_warnings}};
  nlohmann::json per_user;
  {
    std::vector<std::string> ids;
    ids.reserve(num_users);
    for (const auto& ut : cell.users) ids.push_back(data.user_ids[ut.user]);
    per_user["users"] = ids;
    per_user["segments"] = nlohmann::json::object();
    for (const auto& seg : segmentations) per_user["segments"][seg.profiler] = seg.of_user;
    per_user["arms"] = nlohmann::json::object();
    for (const auto& run : runs) {
      if (!run.ok) continue;
      nlohmann::json m = nlohmann::json::object();
      for (size_t c = 0; c < nc; ++c) {
        if (columns[c].aggregation != Aggregation::kMeanOverUsers) continue;
        nlohmann::json v = nlohmann::json::array();
        for (size_t u = 0; u < num_users; ++u) v.push_back(Num(run.values[u * nc + c]));
        m[columns[c].name] = std::move(v);
      }
      per_user["arms"][run.name] = std::move(m);
    }
  }
  results["per_user"] = std::move(per_user);
  results["warnings"] = warnings;
  results["log"] = log;
  for (const auto& [key, section] : scenario_sections.items()) results[key] = section;
  for (const auto& [key, section] : ope_sections.items()) results[key] = section;

  // 9. outputs
  const fs::path root = !options.output.empty() ? options.output : spec.output;
  RunOutcome outcome;
  outcome.run_dir = MakeRunDir(root);
  results["experiment"]["run_dir"] = outcome.run_dir.string();
  results["experiment"]["seconds"] = Seconds(run_start);
  outcome.reports = WriteReports(results, outcome.run_dir, spec.report.formats);
  if (spec.evaluation.export_trec && !bucketed) {
    const fs::path trec_dir = outcome.run_dir / "trec";
    WriteFileAtomic(trec_dir / "qrels.txt", TrecQrels(data, cell, false));
    if (data.explicit_feedback) WriteFileAtomic(trec_dir / "qrels-graded.txt", TrecQrels(data, cell, true));
    std::vector<std::string> run_files;
    for (const auto& [name, content] : trec_runs) {
      WriteFileAtomic(trec_dir / name, content);
      run_files.push_back(name);
    }
    WriteFileAtomic(trec_dir / "README.txt", TrecReadme(spec.evaluation.ks, run_files, data.explicit_feedback,
                                                        data.explicit_feedback ? TrecGainScale(cell) : 1.0));
    outcome.reports.push_back(trec_dir);
  }
  outcome.results_file = outcome.run_dir / "results.json";
  PointLatest(outcome.run_dir);
  outcome.results = std::move(results);
  outcome.failed_arms = failed;
  return outcome;
}

}  // namespace reclift::host
