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
#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "report/compare.h"
#include "runner/runner.h"
#include "scaffold/scaffold.h"
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
    if (info.capabilities & kCapScoreBatch) caps.push_back("score_batch");
    if (info.capabilities & kCapPredict) caps.push_back("predict");
    if (info.capabilities & kCapScoreHistory) caps.push_back("fold_in");
    if (info.capabilities & kCapItemFeatures) caps.push_back("item_features");
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

}  // namespace

int main(int argc, char** argv) {
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

  // validate
  auto* validate =
      app.add_subcommand("validate", "check an experiment file (plugins, parameters, paths) without running");
  fs::path validate_file;
  std::vector<std::string> validate_sets;
  validate->add_option("file", validate_file, "experiment file (TOML)")->required()->check(CLI::ExistingFile);
  validate->add_option("-s,--set", validate_sets, "override a key: section.key=value (repeatable)");
  validate->add_option("-p,--plugin-path", plugin_dirs, "extra plugin directory (repeatable)");

  // plugins
  auto* plugins = app.add_subcommand("plugins", "list the available plugins and their parameters");
  std::string kind;
  bool json = false;
  plugins->add_option("--kind", kind, "recommender, profiler or evaluator")
      ->check(CLI::IsMember({"recommender", "profiler", "evaluator"}));
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

  // report
  auto* report = app.add_subcommand("report", "re-render the reports of a run from its results.json");
  fs::path report_file, report_out;
  std::vector<std::string> formats = {"md", "csv"};
  report->add_option("results", report_file, "results.json of a run")->required()->check(CLI::ExistingFile);
  report->add_option("-f,--format", formats, "formats: md, csv, html, latex, json")
      ->delimiter(',')
      ->check(CLI::IsMember({"md", "csv", "html", "latex", "json"}));
  report->add_option("-o,--output", report_out, "output folder (default: beside results.json)");

  // compare
  auto* compare =
      app.add_subcommand("compare", "what changed between two runs of the same experiment (A: baseline)");
  fs::path compare_a, compare_b, compare_out;
  std::string compare_format = "md";
  compare->add_option("a", compare_a, "results.json of the baseline run")
      ->required()
      ->check(CLI::ExistingFile);
  compare->add_option("b", compare_b, "results.json of the new run")->required()->check(CLI::ExistingFile);
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
      PluginRegistry registry;
      ExperimentSpec spec = LoadExperiment(run_file, run_sets, registry, plugin_dirs);
      RunOptions options;
      options.threads = threads;
      options.output = run_output;
      options.progress = true;
      RunOutcome outcome = RunExperiment(spec, registry, options);
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
    if (*validate) {
      PluginRegistry registry;
      ExperimentSpec spec = LoadExperiment(validate_file, validate_sets, registry, plugin_dirs);
      std::cout << validate_file.string() << ": ok (" << spec.arms.size() << " arms, dataset "
                << spec.dataset.format << ", split " << spec.split.method << ")\n";
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
      return 0;
    }
    if (*compare) {
      const nlohmann::json a = ReadJson(compare_a), b = ReadJson(compare_b);
      const std::string text =
          compare_format == "html" ? RenderComparisonHtml(a, b) : RenderComparisonMarkdown(a, b);
      if (compare_out.empty()) {
        std::cout << text;
      } else {
        WriteFileAtomic(compare_out, text);
        std::cout << "wrote " << compare_out.string() << "\n";
      }
      return 0;
    }
    if (*report) {
      nlohmann::json results = ReadJson(report_file);
      if (!results.contains("schema_version") || results["schema_version"] != 1) {
        throw Error(report_file.string() + ": not a reclift results.json of schema version 1");
      }
      const fs::path dir = report_out.empty() ? report_file.parent_path() : report_out;
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
