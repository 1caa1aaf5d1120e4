// reclift: the command-line program. Every subcommand exits 0 on success and
// non-zero with a one-line reason on stderr otherwise:
//   1  an error (bad experiment file, unreadable data, ...)
//   2  bad command-line usage
//   3  the run completed but some arms failed (see results.json)
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "data/synth.h"
#include "engine/executor.h"
#include "engine/mpi.h"
#include "engine/plan.h"
#include "experiment/spec.h"
#include "history/history.h"
#include "ope/simulator.h"
#include "plugin_host/registry.h"
#include "report/compare.h"
#include "runner/runner.h"
#include "scaffold/scaffold.h"
#include "suite/suite_runner.h"
#include "suite/suite_spec.h"
#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text.h"

namespace fs = std::filesystem;
using namespace reclift;
using namespace reclift::host;

namespace {

std::vector<Override> ParseOverrides(const std::vector<std::string>& sets) {
  std::vector<Override> out;
  for (const auto& s : sets) out.push_back(ParseOverride(s));
  return out;
}

void LoadPlugins(PluginRegistry& registry, const std::vector<fs::path>& extra) {
  std::vector<fs::path> dirs = PluginRegistry::DefaultSearchPath();
  dirs.insert(dirs.end(), extra.begin(), extra.end());
  for (const auto& d : dirs) registry.LoadDirectory(d);
  for (const auto& r : registry.Refused()) spdlog::warn("plugin refused: {}", r.reason);
}

// Parses, loads plugins (default path + the file's plugin_paths) and checks.
ExperimentSpec LoadExperiment(const fs::path& file, const std::vector<std::string>& sets,
                              PluginRegistry& registry, const std::vector<fs::path>& plugin_dirs) {
  ExperimentSpec spec = ParseExperimentFile(file, ParseOverrides(sets));
  std::vector<fs::path> dirs = plugin_dirs;
  dirs.insert(dirs.end(), spec.plugin_paths.begin(), spec.plugin_paths.end());
  LoadPlugins(registry, dirs);
  CheckPlugins(spec, registry);
  CheckFiles(spec);
  return spec;
}

std::string SpecText(const ParamSpec& s) {
  std::string range;
  if (s.type == ParamType::kInt || s.type == ParamType::kFloat) {
    if (!std::isinf(s.min) || !std::isinf(s.max))
      range = "[" + detail::FormatNumber(s.min) + ", " + detail::FormatNumber(s.max) + "]";
  } else if (s.choices != nullptr) {
    range = s.choices;
  }
  return range;
}

int CmdPlugins(const std::string& kind, bool json, const std::vector<fs::path>& dirs) {
  PluginRegistry registry;
  LoadPlugins(registry, dirs);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : registry.Plugins()) {
    const PluginInfo& info = *p.info;
    if (!kind.empty() && kind != PluginKindName(info.kind)) continue;
    nlohmann::json params = nlohmann::json::array();
    for (const auto& s : info.param_specs()) {
      nlohmann::json pj = {
          {"name", s.name}, {"type", ParamTypeName(s.type)}, {"default", s.default_value}, {"doc", s.doc}};
      if (std::isfinite(s.min)) pj["min"] = s.min;
      if (std::isfinite(s.max)) pj["max"] = s.max;
      if (s.choices != nullptr) pj["choices"] = s.choices;
      params.push_back(pj);
    }
    nlohmann::json caps = nlohmann::json::array();
    if (info.kind == PluginKind::kEstimator) {  // EstimatorCapability bits
      if (info.capabilities & kEstNeedsRewardModel) caps.push_back("reward_model");
      if (info.capabilities & kEstNeedsPrefixPropensity) caps.push_back("slate_propensities");
    } else {
      if (info.capabilities & kCapScoreBatch) caps.push_back("score_batch");
      if (info.capabilities & kCapPredict) caps.push_back("predict");
      if (info.capabilities & kCapScoreHistory) caps.push_back("fold_in");
      if (info.capabilities & kCapItemFeatures) caps.push_back("item_features");
    }
    out.push_back({{"name", info.name},
                   {"kind", PluginKindName(info.kind)},
                   {"version", info.version},
                   {"description", info.description},
                   {"file", p.path.string()},
                   {"capabilities", caps},
                   {"parameters", params}});
  }
  if (json) {
    nlohmann::json refused = nlohmann::json::array();
    for (const auto& r : registry.Refused())
      refused.push_back({{"file", r.path.string()}, {"reason", r.reason}});
    std::cout << nlohmann::json{{"plugins", out}, {"refused", refused}}.dump(2) << "\n";
    return 0;
  }
  for (const auto& p : out) {
    std::cout << p["name"].get<std::string>() << "  (" << p["kind"].get<std::string>() << " "
              << p["version"].get<std::string>() << ")  " << p["description"].get<std::string>() << "\n";
    if (!p["capabilities"].empty()) {
      std::vector<std::string> caps = p["capabilities"];
      std::cout << "    capabilities: " << Join(caps, ", ") << "\n";
    }
    for (const auto& s : registry.FindLoaded(p["name"])->info->param_specs()) {
      std::string range = SpecText(s);
      std::cout << "    " << s.name << " : " << ParamTypeName(s.type) << " = " << s.default_value
                << (range.empty() ? "" : "  " + range) << "  -- " << s.doc << "\n";
    }
  }
  if (out.empty()) std::cout << "no plugins found" << (kind.empty() ? "" : " of kind " + kind) << "\n";
  return 0;
}

nlohmann::json ReadJson(const fs::path& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read " + file.string());
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {  // parse_error, and out_of_range for a number overflow
    throw Error(file.string() + ": not valid JSON: " + e.what());
  }
}

// The history database of --db: "" = the default, "none" = no history.
fs::path HistoryDb(const std::string& option) {
  if (option.empty()) return history::DefaultDatabase();
  return option == "none" ? fs::path() : fs::path(option);
}

// A suite file parsed, its plugins loaded (default path + every member's
// plugin_paths + -p) and every member checked; a member failing a check keeps
// its error.
suite::SuiteSpec LoadSuite(const fs::path& file, const std::vector<std::string>& sets,
                           PluginRegistry& registry, const std::vector<fs::path>& plugin_dirs,
                           const std::vector<std::string>& only) {
  suite::SuiteSpec spec = suite::ParseSuiteFile(file, ParseOverrides(sets));
  std::vector<fs::path> dirs = plugin_dirs;
  for (const auto& m : spec.members) {
    if (m.spec) dirs.insert(dirs.end(), m.spec->plugin_paths.begin(), m.spec->plugin_paths.end());
  }
  LoadPlugins(registry, dirs);
  suite::PrepareSuite(spec, registry, only);
  return spec;
}

// A run given as a results.json (or its run folder) or as a run id of the history.
fs::path ResolveRun(const std::string& ref, const fs::path& db) {
  const fs::path p(ref);
  if (fs::is_regular_file(p)) return p;
  if (fs::is_directory(p) && fs::is_regular_file(p / "results.json")) return p / "results.json";
  if (db.empty()) throw Error(ref + ": no such results.json (and the history is off: --db none)");
  return history::ResolveRunId(db, ref);
}

}  // namespace

int main(int argc, char** argv) {
  // a worker process of the execution engine (engine/executor.h): runs one
  // cell; also how to reproduce a failed cell by hand, e.g. under gdb
  if (argc == 3 && std::string_view(argv[1]) == "__cell") {
    return reclift::host::engine::RunCellWorker(argv[2]);
  }
  // under mpirun / srun (engine/mpi.h): rank 0 runs the command, the other
  // ranks execute the cells it hands out
  engine::mpi::Init(&argc, &argv);
  struct MpiScope {
    ~MpiScope() {
      engine::mpi::StopServers();
      engine::mpi::Finalize();
    }
  } mpi_scope;
  {
    engine::mpi::Options mpi_options;
    for (int i = 1; i < argc; ++i) mpi_options.send_data |= std::string_view(argv[i]) == "--mpi-send-data";
    engine::mpi::Configure(mpi_options);
  }
  if (engine::mpi::Active() && engine::mpi::Rank() > 0) return engine::mpi::ServeCells();
  auto logger = spdlog::stderr_color_mt("reclift");
  spdlog::set_default_logger(logger);
  spdlog::set_pattern("[%H:%M:%S] %^%l%$ %v");

  CLI::App app{"reclift: offline A/B experiments on recommender algorithms"};
  app.require_subcommand(1);
  app.fallthrough();  // global flags (-q, -v) may follow the subcommand
  bool quiet = false, verbose = false;
  app.add_flag("-q,--quiet", quiet, "only warnings and errors");
  app.add_flag("-v,--verbose", verbose, "debug output");
  app.set_version_flag("--version", std::string("reclift ") + RECLIFT_VERSION);
  std::vector<fs::path> plugin_dirs;

  // run
  auto* run = app.add_subcommand("run", "run an experiment file and write its report");
  fs::path run_file, run_output;
  std::vector<std::string> run_sets;
  int threads = 0;
  run->add_option("file", run_file, "experiment file (TOML)")->required()->check(CLI::ExistingFile);
  run->add_option("-o,--output", run_output, "output root (default: [experiment].output or reports/<name>)");
  run->add_option("-s,--set", run_sets, "override a key: section.key=value (repeatable)");
  run->add_option("-t,--threads", threads, "worker threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  run->add_option("-p,--plugin-path", plugin_dirs, "extra plugin directory (repeatable)");
  std::string isolation;
  run->add_option("--isolation", isolation,
                  "process: every cell in a worker process (default); none: in this process (for gdb)")
      ->check(CLI::IsMember({"process", "none"}));
  int parallel_cells = 0;
  run->add_option("--parallel-cells", parallel_cells,
                  "cells run at once (default: [experiment] parallel_cells; 0 = automatic)")
      ->check(CLI::NonNegativeNumber);
  bool mpi_send_data = false;  // read before parsing (engine::mpi::Configure)
  const char* mpi_send_help = "under mpirun: send split files and results with MPI (no shared file system)";
  run->add_flag("--mpi-send-data", mpi_send_data, mpi_send_help);
  std::string resume;
  auto* resume_opt =
      run->add_option("--resume", resume,
                      "resume a run folder (default: the experiment's latest): reuse its finished cells")
          ->expected(0, 1);
  std::string db_option;
  const std::string db_help = "history database (default: $RECLIFT_DB or reports/reclift.db; none: off)";
  run->add_option("--db", db_option, db_help);

  // suite
  auto* suite_cmd =
      app.add_subcommand("suite", "run a suite of experiments across datasets and compare them");
  fs::path suite_file, suite_output, suite_resume;
  std::vector<std::string> suite_sets, suite_only;
  suite_cmd->add_option("file", suite_file, "suite file (TOML with a [suite] table)")
      ->required()
      ->check(CLI::ExistingFile);
  suite_cmd->add_option("-o,--output", suite_output, "root of suite folders (default: [suite] output)");
  suite_cmd->add_option("-s,--set", suite_sets,
                        "override a key of every member: section.key=value (repeatable)");
  suite_cmd->add_option("--only", suite_only, "run only dataset, dataset/arm or */arm (repeatable)");
  suite_cmd->add_option("--resume", suite_resume,
                        "continue in this suite folder: reuse members whose results.json is complete");
  suite_cmd->add_option("-t,--threads", threads, "worker threads per member (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  suite_cmd->add_option("-p,--plugin-path", plugin_dirs, "extra plugin directory (repeatable)");
  suite_cmd->add_option("--db", db_option, db_help);
  suite_cmd->add_flag("--mpi-send-data", mpi_send_data, mpi_send_help);

  // history
  auto* history_cmd = app.add_subcommand("history", "the runs, suites and comparisons indexed so far");
  history::HistoryQuery hq;
  std::string history_format = "table";
  fs::path history_out;
  bool history_rebuild = false;
  std::vector<fs::path> history_roots;
  history_cmd->add_option("--experiment", hq.experiment, "only runs of this experiment (or suite) name");
  history_cmd->add_option("--arm", hq.arm, "only runs with this arm; its metric over time");
  history_cmd->add_option("--metric", hq.metric,
                          "the metric of the series (default: each run's primary metric)");
  history_cmd->add_option("--kind", hq.kind, "run, suite, comparison or all")
      ->check(CLI::IsMember({"run", "suite", "comparison", "all"}));
  history_cmd->add_option("--limit", hq.limit, "at most this many runs, newest first")
      ->check(CLI::PositiveNumber);
  history_cmd->add_option("-f,--format", history_format, "table, json or html")
      ->check(CLI::IsMember({"table", "json", "html"}));
  history_cmd->add_option("-o,--output", history_out, "write to this file (default: standard output)");
  history_cmd->add_flag("--rebuild", history_rebuild, "rebuild the database from the run folders");
  history_cmd->add_option("--root", history_roots, "folders --rebuild scans (default: reports)");
  history_cmd->add_option("--db", db_option, db_help);

  // validate
  auto* validate = app.add_subcommand(
      "validate", "check an experiment or suite file (plugins, parameters, paths) without running");
  fs::path validate_file;
  std::vector<std::string> validate_sets;
  validate->add_option("file", validate_file, "experiment or suite file (TOML)")
      ->required()
      ->check(CLI::ExistingFile);
  validate->add_option("-s,--set", validate_sets, "override a key: section.key=value (repeatable)");
  validate->add_option("-p,--plugin-path", plugin_dirs, "extra plugin directory (repeatable)");

  // plugins
  auto* plugins = app.add_subcommand("plugins", "list the available plugins and their parameters");
  std::string kind;
  bool json = false;
  plugins->add_option("--kind", kind, "recommender, profiler, evaluator or estimator")
      ->check(CLI::IsMember({"recommender", "profiler", "evaluator", "estimator"}));
  plugins->add_flag("--json", json, "machine-readable output");
  plugins->add_option("-p,--plugin-path", plugin_dirs, "extra plugin directory (repeatable)");

  // new
  auto* scaffold = app.add_subcommand("new", "create a plugin folder that builds and passes the contract");
  std::string new_kind, new_name;
  fs::path new_dir;
  scaffold->add_option("kind", new_kind, "recommender, profiler or evaluator")
      ->required()
      ->check(CLI::IsMember({"recommender", "profiler", "evaluator"}));
  scaffold->add_option("name", new_name, "plugin name, lower_snake_case")->required();
  scaffold->add_option("--dir", new_dir,
                       "folder to create (default: plugins/<kind>s/<name> in a reclift tree, else ./<name>)");

  // synth
  auto* synth = app.add_subcommand("synth", "generate the synthetic course-platform dataset as CSV");
  std::string preset = "sample";
  uint64_t seed = 42;
  fs::path synth_out;
  bool list_presets = false;
  synth->add_option("--preset", preset, "size preset (see --list)");
  synth->add_option("--seed", seed, "random seed");
  synth->add_option("-o,--out", synth_out, "output folder (interactions.csv, items.csv)");
  synth->add_flag("--list", list_presets, "list the presets");
  LoggedSimOptions logged_options;  // ope/simulator.h; logged.csv + truth.csv when --logged-rounds > 0
  logged_options.rounds = 0;
  synth->add_option("--logged-rounds", logged_options.rounds,
                    "also write logged feedback of this many rounds");
  synth->add_option("--logging-policy", logged_options.logging_policy,
                    "uniform | popularity-softmax | epsilon-greedy");
  synth->add_option("--slate-size", logged_options.slate_size, "positions per logged round");
  synth->add_option("--actions", logged_options.actions, "items on the logged shelf (the most popular)");

  // report
  auto* report =
      app.add_subcommand("report", "re-render the reports of a run (results.json) or a suite (suite.json)");
  fs::path report_file, report_out;
  std::vector<std::string> formats = {"md", "csv"};
  report->add_option("results", report_file, "results.json of a run, or suite.json of a suite")
      ->required()
      ->check(CLI::ExistingFile);
  report->add_option("-f,--format", formats, "formats: md, csv, html, latex, json")
      ->delimiter(',')
      ->check(CLI::IsMember({"md", "csv", "html", "latex", "json"}));
  report->add_option("-o,--output", report_out, "output folder (default: beside results.json)");

  // compare
  auto* compare =
      app.add_subcommand("compare", "what changed between two runs of the same experiment (A: baseline)");
  fs::path compare_out;
  std::string compare_format = "md";
  std::string compare_ref_a, compare_ref_b;
  compare
      ->add_option("a", compare_ref_a,
                   "the baseline run: results.json, its folder, or a run id of the history")
      ->required();
  compare->add_option("b", compare_ref_b, "the new run: results.json, its folder, or a run id")->required();
  compare->add_option("--db", db_option, db_help);
  compare->add_option("-f,--format", compare_format, "md or html")->check(CLI::IsMember({"md", "html"}));
  compare->add_option("-o,--output", compare_out, "write to this file (default: standard output)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  spdlog::set_level(quiet ? spdlog::level::warn : verbose ? spdlog::level::debug : spdlog::level::info);

  try {
    if (*run) {
      if (suite::IsSuiteFile(run_file)) {
        throw Error(run_file.string() +
                    ": a suite file (it has a [suite] table); run it with `reclift suite " +
                    run_file.string() + "`");
      }
      PluginRegistry registry;
      ExperimentSpec spec = LoadExperiment(run_file, run_sets, registry, plugin_dirs);
      RunOptions options;
      options.threads = threads;
      options.output = run_output;
      options.progress = true;
      options.isolation = isolation;
      options.parallel_cells = parallel_cells;
      if (resume_opt->count() > 0) {
        options.resume = resume.empty() ? LatestRunDir(spec, run_output) : fs::path(resume);
      }
      const fs::path db = HistoryDb(db_option);
      RunOutcome outcome;
      try {
        outcome = RunExperiment(spec, registry, options);
      } catch (const std::exception& e) {
        if (!db.empty()) history::IndexFailedRun(db, spec.name, run_file, e.what());
        throw;
      }
      if (!db.empty()) history::IndexRun(db, outcome.results, outcome.results_file);
      fs::path report_path = outcome.run_dir / "summary.md";
      if (!fs::exists(report_path)) report_path = outcome.results_file;
      std::cout << "report: " << report_path.string() << "\n";
      if (outcome.failed_arms > 0) {
        std::cerr << "reclift: " << outcome.failed_arms << " of " << spec.arms.size()
                  << " arms failed; see the errors in " << outcome.results_file.string() << "\n";
        return 3;
      }
      return 0;
    }
    if (*suite_cmd) {
      PluginRegistry registry;
      suite::SuiteSpec spec = LoadSuite(suite_file, suite_sets, registry, plugin_dirs, suite_only);
      suite::SuiteOptions options;
      options.output = suite_output;
      options.resume = suite_resume;
      options.threads = threads;
      options.progress = true;
      suite::SuiteOutcome outcome = suite::RunSuite(spec, registry, options);
      if (const fs::path db = HistoryDb(db_option); !db.empty()) {
        for (const auto& m : outcome.members) {
          if (m.status != "ok" || m.results_file.empty()) continue;  // reused members are indexed already
          std::ifstream in(m.results_file);
          nlohmann::json results = nlohmann::json::parse(in, nullptr, false);
          if (results.is_object()) history::IndexRun(db, results, m.results_file);
        }
        history::IndexSuite(db, outcome.suite, outcome.suite_json);
      }
      std::cout << "suite report: " << (outcome.suite_dir / "suite.md").string() << "\n";
      if (outcome.failed_members > 0) {
        std::cerr << "reclift: " << outcome.failed_members << " of " << outcome.members.size()
                  << " suite members failed; see " << outcome.suite_json.string() << "\n";
        return 3;
      }
      return 0;
    }
    if (*history_cmd) {
      const fs::path db = HistoryDb(db_option);
      if (db.empty()) throw Error("reclift history: needs a database (--db none turns the history off)");
      if (history_rebuild) {
        if (history_roots.empty()) history_roots.push_back("reports");
        const size_t n = history::RebuildHistory(db, history_roots);
        std::cout << "rebuilt " << db.string() << " from " << n << " runs and suites\n";
        return 0;
      }
      if (hq.kind == "all") hq.kind.clear();
      const nlohmann::json h = history::QueryHistory(db, hq);
      const std::string text = history_format == "json"   ? h.dump(2) + "\n"
                               : history_format == "html" ? history::RenderHistoryHtml(h)
                                                          : history::RenderHistoryTable(h);
      if (history_out.empty()) {
        std::cout << text;
      } else {
        WriteFileAtomic(history_out, text);
        std::cout << "wrote " << history_out.string() << "\n";
      }
      return 0;
    }
    if (*validate && suite::IsSuiteFile(validate_file)) {
      PluginRegistry registry;
      suite::SuiteSpec spec = LoadSuite(validate_file, validate_sets, registry, plugin_dirs, {});
      int bad = 0;
      for (const auto& m : spec.members) {
        if (m.error.empty()) {
          std::cout << "  " << m.name << ": ok (" << m.spec->arms.size() << " arms, dataset "
                    << m.spec->dataset.format << ", split " << m.spec->split.method << ")\n";
        } else {
          ++bad;
          std::cerr << "  " << m.name << ": " << m.error << "\n";
        }
      }
      if (bad > 0) {
        throw Error(validate_file.string() + ": " + std::to_string(bad) + " of " +
                    std::to_string(spec.members.size()) + " suite members have errors (above)");
      }
      std::cout << validate_file.string() << ": ok (suite " << spec.name << ", " << spec.members.size()
                << " members)\n";
      return 0;
    }
    if (*validate) {
      PluginRegistry registry;
      ExperimentSpec spec = LoadExperiment(validate_file, validate_sets, registry, plugin_dirs);
      const engine::ExperimentPlan plan = engine::MakePlan(spec, registry);  // every check without data
      std::cout << validate_file.string() << ": ok (" << spec.arms.size() << " arms, dataset "
                << spec.dataset.format << ", split " << spec.split.method << ", " << plan.cells.size()
                << " cells)\n";
      return 0;
    }
    if (*plugins) return CmdPlugins(kind, json, plugin_dirs);
    if (*scaffold) {
      fs::path dir = new_dir;
      if (dir.empty())
        dir = fs::is_directory("plugins") ? fs::path("plugins") / (new_kind + "s") / new_name
                                          : fs::path(new_name);
      for (const auto& f : ScaffoldPlugin(new_kind, new_name, dir))
        std::cout << "wrote " << f.string() << "\n";
      return 0;
    }
    if (*synth) {
      if (list_presets) {
        for (const auto& p : SynthPresetInfos()) {
          std::cout << p.name << "  " << p.users << " users, " << p.items << " items, " << p.interactions
                    << " interactions  -- " << p.description << "\n";
        }
        return 0;
      }
      if (synth_out.empty()) throw Error("reclift synth: --out is required (or --list)");
      SynthOptions options;
      options.preset = preset;
      options.seed = seed;
      Dataset data = GenerateSynthetic(options);
      WriteSyntheticDataset(data, synth_out);
      std::cout << "wrote " << (synth_out / "interactions.csv").string() << " and "
                << (synth_out / "items.csv").string() << " (" << data.num_users() << " users, "
                << data.num_items() << " items, " << data.size() << " interactions)\n";
      if (logged_options.rounds > 0) {
        logged_options.seed = seed;
        WriteLoggedFeedback(SimulateLoggedFeedback(data, logged_options), synth_out);
        std::cout << "wrote " << (synth_out / "logged.csv").string() << " and "
                  << (synth_out / "truth.csv").string() << " (" << logged_options.rounds
                  << " rounds, see docs/ope.md)\n";
      }
      return 0;
    }
    if (*compare) {
      const fs::path db = HistoryDb(db_option);
      const nlohmann::json a = ReadJson(ResolveRun(compare_ref_a, db)),
                           b = ReadJson(ResolveRun(compare_ref_b, db));
      const std::string text =
          compare_format == "html" ? RenderComparisonHtml(a, b) : RenderComparisonMarkdown(a, b);
      if (compare_out.empty()) {
        std::cout << text;
      } else {
        WriteFileAtomic(compare_out, text);
        std::cout << "wrote " << compare_out.string() << "\n";
      }
      if (!db.empty()) history::IndexComparison(db, a, b);
      return 0;
    }
    if (*report) {
      nlohmann::json results = ReadJson(report_file);
      if (!results.contains("schema_version") || results["schema_version"] != 1) {
        throw Error(report_file.string() + ": not a reclift results.json of schema version 1");
      }
      const fs::path dir = report_out.empty() ? report_file.parent_path() : report_out;
      if (results.value("kind", "") == "reclift-suite") {  // a suite.json: the suite reports
        formats.push_back("json");
        for (const auto& f : suite::WriteSuiteReports(results, dir, formats))
          std::cout << "wrote " << f.string() << "\n";
        return 0;
      }
      formats.push_back("json");
      for (const auto& f : WriteReports(results, dir, formats)) std::cout << "wrote " << f.string() << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    std::cerr << "reclift: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
