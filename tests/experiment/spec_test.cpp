// Experiment files: parsing, defaults, grids, overrides, plugin and file
// checks. Error tests compare the whole what() text, location included.
#include "experiment/spec.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <functional>

using namespace reclift::host;
using reclift::ParamSpec;
using reclift::ParamType;
using reclift::ParamValue;
using reclift::PluginInfo;
using reclift::PluginKind;
namespace fs = std::filesystem;

namespace {

// ------------------------------------------------------------- fake catalog

const ParamSpec kPopularityParams[] = {
    {"window_days", ParamType::kInt, "0", 0, 36500, nullptr, "count only the last N days"},
};
const ParamSpec kAlsParams[] = {
    {"factors", ParamType::kInt, "64", 1, 4096, nullptr, "latent factors"},
    {"regularization", ParamType::kFloat, "0.05", 0, 10, nullptr, "L2 weight"},
    {"solver", ParamType::kString, "cg", 0, 0, "cg|cholesky", "least-squares solver"},
    {"use_bias", ParamType::kBool, "true", 0, 0, nullptr, "learn user and item biases"},
};
const ParamSpec kActivityParams[] = {
    {"bins", ParamType::kInt, "4", 2, 10, nullptr, "activity levels"},
};
const ParamSpec kRankingParams[] = {
    {"exclude_seen", ParamType::kBool, "true", 0, 0, nullptr, "drop training items"},
};

const ParamSpec kHybridParams[] = {
    {"mix", ParamType::kFloat, "0.5", 0, 1, nullptr, "weight of the first child"},
};

PluginInfo MakeInfo(PluginKind kind, const char* name, const ParamSpec* params, size_t n, uint32_t caps = 0) {
  return PluginInfo{
      reclift::kAbiVersion, reclift::kAbiTag, kind, name, "1.2.0", "fake", params, n, caps, nullptr, nullptr};
}

class FakeCatalog : public PluginCatalog {
 public:
  FakeCatalog() {
    infos_ = {MakeInfo(PluginKind::kRecommender, "popularity", kPopularityParams, 1),
              MakeInfo(PluginKind::kRecommender, "als", kAlsParams, 4),
              MakeInfo(PluginKind::kRecommender, "random", nullptr, 0),
              MakeInfo(PluginKind::kRecommender, "hybrid", kHybridParams, 1, reclift::kCapComposite),
              MakeInfo(PluginKind::kProfiler, "activity", kActivityParams, 1),
              MakeInfo(PluginKind::kEvaluator, "ranking", kRankingParams, 1),
              MakeInfo(PluginKind::kEvaluator, "diversity", nullptr, 0)};
  }
  const PluginInfo* Find(PluginKind kind, const std::string& name) const override {
    for (const auto& info : infos_) {
      if (info.kind == kind && name == info.name) return &info;
    }
    return nullptr;
  }
  std::vector<std::string> Names(PluginKind kind) const override {
    std::vector<std::string> names;
    for (const auto& info : infos_) {
      if (info.kind == kind) names.emplace_back(info.name);
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::vector<PluginInfo> infos_;
};

// ------------------------------------------------------------- helpers

// Lines 1-7 of most test files; tests append from line 8 on.
const std::string kHead = R"([experiment]
name = "demo"
[dataset]
interactions = "ratings.csv"
[[arms]]
name = "pop"
recommender = "popularity"
)";

ExperimentSpec Parse(const std::string& text, const std::vector<Override>& overrides = {}) {
  return ParseExperimentString(text, "exp.toml", overrides);
}

std::string ErrorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::string ParseError(const std::string& text, const std::vector<Override>& overrides = {}) {
  return ErrorOf([&] { Parse(text, overrides); });
}

std::string CheckError(const std::string& text, const std::vector<Override>& overrides = {}) {
  return ErrorOf([&] {
    ExperimentSpec spec = Parse(text, overrides);
    CheckPlugins(spec, FakeCatalog());
  });
}

// A fresh, empty temporary folder, removed when the test ends.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("reclift-spec-test-" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  void Write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path / relative).parent_path());
    std::ofstream(path / relative) << text;
  }
};

}  // namespace

// ------------------------------------------------------------- whole files

TEST_CASE("a complete experiment file is read into every field", "[experiment]") {
  const std::string text = R"(
[experiment]
name = "course-recs-q3"
description = "ALS against popularity"
seed = 7
threads = 2
output = "out/run"
plugin_paths = ["plugins", "/opt/reclift/plugins"]

[dataset]
format = "csv"
interactions = "data/interactions.csv"
items = "data/items.csv"
delimiter = ";"
header = true
user_column = "uid"
item_column = "iid"
value_column = "rating"
timestamp_column = "ts"
on_bad_rows = "skip"
duplicates = "max"
positive_threshold = 4

[split]
method = "temporal"
test_fraction = 0.25
min_user_interactions = 3
seed = 11

[[arms]]
name = "control"
recommender = "popularity"

[[arms]]
name = "als"
recommender = "als"
[arms.params]
factors = 32
solver = "cholesky"

[evaluation]
k = [10, 20]
metrics = ["ndcg", "recall"]
evaluators = ["ranking", { plugin = "diversity" }]

[[profilers]]
plugin = "activity"
params = { bins = 3 }

[ab]
control = "control"
primary_metric = "recall@20"
assignment = "bucketed"
alpha = 0.01
correction = "bh"
bootstrap_samples = 500

[report]
formats = ["html", "latex"]
)";
  const ExperimentSpec spec = ParseExperimentString(text, "/work/exps/q3.toml");
  CHECK(spec.source_file == "/work/exps/q3.toml");
  CHECK(spec.base_dir == "/work/exps");
  CHECK(spec.name == "course-recs-q3");
  CHECK(spec.description == "ALS against popularity");
  CHECK(spec.seed == 7);
  CHECK(spec.threads == 2);
  CHECK(spec.output == "/work/exps/out/run");
  CHECK(spec.plugin_paths == std::vector<fs::path>{"/work/exps/plugins", "/opt/reclift/plugins"});

  const DatasetSpec& d = spec.dataset;
  CHECK(d.format == "csv");
  CHECK(d.interactions == "/work/exps/data/interactions.csv");
  CHECK(d.items == "/work/exps/data/items.csv");
  CHECK(d.delimiter == ";");
  CHECK(d.header);
  CHECK(d.user_column == "uid");
  CHECK(d.item_column == "iid");
  CHECK(d.value_column == "rating");
  CHECK(d.timestamp_column == "ts");
  CHECK(d.on_bad_rows == "skip");
  CHECK(d.duplicates == "max");
  CHECK(d.has_positive_threshold);
  CHECK(d.positive_threshold == 4.0);
  // interactions = "data/interactions.csv" is on line 12, its value at column 16
  CHECK(d.where.at("interactions").ToString() == "/work/exps/q3.toml:12:16");

  CHECK(spec.split.method == "temporal");
  CHECK(spec.split.test_fraction == 0.25);
  CHECK(spec.split.min_user_interactions == 3);
  CHECK(spec.split.seed == 11);

  REQUIRE(spec.arms.size() == 2);
  CHECK(spec.arms[0].name == "control");
  CHECK(spec.arms[0].recommender.plugin == "popularity");
  CHECK(spec.arms[0].recommender.params.empty());
  CHECK(spec.arms[1].name == "als");
  CHECK(spec.arms[1].recommender.params.at("factors") == ParamValue(int64_t{32}));
  CHECK(spec.arms[1].recommender.params.at("solver") == ParamValue(std::string("cholesky")));
  CHECK(spec.arms[1].recommender.param_where.at("factors").ToString() == "/work/exps/q3.toml:38:11");
  CHECK(spec.arms[1].where.line == 34);

  CHECK(spec.evaluation.ks == std::vector<int>{10, 20});
  CHECK(spec.evaluation.metrics == std::vector<std::string>{"ndcg", "recall"});
  REQUIRE(spec.evaluation.evaluators.size() == 2);
  CHECK(spec.evaluation.evaluators[0].plugin == "ranking");
  CHECK(spec.evaluation.evaluators[1].plugin == "diversity");

  REQUIRE(spec.profilers.size() == 1);
  CHECK(spec.profilers[0].plugin == "activity");
  CHECK(spec.profilers[0].params.at("bins") == ParamValue(int64_t{3}));

  CHECK(spec.ab.control == "control");
  CHECK(spec.ab.primary_metric == "recall@20");
  CHECK(spec.ab.assignment == "bucketed");
  CHECK(spec.ab.alpha == 0.01);
  CHECK(spec.ab.correction == "bh");
  CHECK(spec.ab.bootstrap_samples == 500);
  CHECK(spec.report.formats == std::vector<std::string>{"html", "latex"});
}

TEST_CASE("a minimal file gets the documented defaults", "[experiment]") {
  const ExperimentSpec spec = Parse(kHead);
  CHECK(spec.name == "demo");
  CHECK(spec.description.empty());
  CHECK(spec.seed == 42);
  CHECK(spec.threads == 0);
  CHECK(spec.output == fs::path("reports/demo"));  // relative: under the working directory
  CHECK(spec.plugin_paths.empty());
  CHECK(spec.base_dir == fs::current_path());
  CHECK(spec.dataset.format == "csv");
  CHECK(spec.dataset.interactions == fs::current_path() / "ratings.csv");
  CHECK(spec.dataset.items.empty());
  CHECK(spec.dataset.delimiter == ",");
  CHECK(spec.dataset.header);
  CHECK(spec.dataset.user_column == "user");
  CHECK(spec.dataset.item_column == "item");
  CHECK(spec.dataset.value_column.empty());
  CHECK(spec.dataset.timestamp_column.empty());
  CHECK(spec.dataset.on_bad_rows == "error");
  CHECK(spec.dataset.duplicates == "last");
  CHECK_FALSE(spec.dataset.has_positive_threshold);
  CHECK(spec.split.method == "random");
  CHECK(spec.split.test_fraction == 0.2);
  CHECK(spec.split.leave_last == 1);
  CHECK(spec.split.min_user_interactions == 2);
  CHECK(spec.split.seed == 42);
  CHECK(spec.evaluation.ks == std::vector<int>{10});
  CHECK(spec.evaluation.metrics.empty());
  REQUIRE(spec.evaluation.evaluators.size() == 1);
  CHECK(spec.evaluation.evaluators[0].plugin == "ranking");
  CHECK(spec.profilers.empty());
  CHECK(spec.ab.control == "pop");        // the first arm
  CHECK(spec.ab.primary_metric.empty());  // no metrics listed: the runner picks
  CHECK(spec.ab.assignment == "paired");
  CHECK(spec.ab.alpha == 0.05);
  CHECK(spec.ab.correction == "holm");
  CHECK(spec.ab.bootstrap_samples == 2000);
  CHECK(spec.report.formats == std::vector<std::string>{"md", "json", "csv"});
}

TEST_CASE("the experiment seed is the default of the split and synthetic seeds", "[experiment]") {
  const ExperimentSpec spec = Parse(R"([experiment]
name = "s"
seed = 9
[dataset]
format = "synthetic"
preset = "tiny"
[[arms]]
name = "pop"
recommender = "popularity"
)");
  CHECK(spec.split.seed == 9);
  CHECK(spec.dataset.synthetic_seed == 9);
  CHECK(spec.dataset.synthetic_preset == "tiny");
  CHECK(spec.dataset.interactions.empty());
}

TEST_CASE("the primary metric defaults to the first metric at the first k", "[experiment]") {
  const ExperimentSpec spec = Parse(kHead + "[evaluation]\nk = [5, 10]\nmetrics = [\"recall\", \"ndcg\"]\n");
  CHECK(spec.ab.primary_metric == "recall@5");
}

TEST_CASE("a single k and a single metric may be written without a list", "[experiment]") {
  const ExperimentSpec spec = Parse(kHead + "[evaluation]\nk = 20\nmetrics = \"ndcg\"\n");
  CHECK(spec.evaluation.ks == std::vector<int>{20});
  CHECK(spec.evaluation.metrics == std::vector<std::string>{"ndcg"});
}

TEST_CASE("headerless csv files address columns by 0-based index", "[experiment]") {
  const ExperimentSpec defaults = Parse(R"([experiment]
name = "demo"
[dataset]
interactions = "r.tsv"
delimiter = "\t"
header = false
value_column = 2
[[arms]]
name = "pop"
recommender = "popularity"
)");
  CHECK(defaults.dataset.delimiter == "\t");
  CHECK_FALSE(defaults.dataset.header);
  CHECK(defaults.dataset.user_column == "0");
  CHECK(defaults.dataset.item_column == "1");
  CHECK(defaults.dataset.value_column == "2");

  // a literal backslash-t (TOML literal string) means a tab too
  const ExperimentSpec literal = Parse(R"([experiment]
name = "demo"
[dataset]
interactions = "r.tsv"
delimiter = '\t'
[[arms]]
name = "pop"
recommender = "popularity"
)");
  CHECK(literal.dataset.delimiter == "\t");
}

// ------------------------------------------------------------- syntax, tables, keys

TEST_CASE("a TOML syntax error is reported where TOML++ found it", "[experiment]") {
  CHECK(ParseError("[experiment]\nname = \"demo\"\n[split\n") ==
        "exp.toml:3:7: Error while parsing table header: expected ']', saw '\\n'");
  CHECK(ParseError("[experiment]\nname = \"a\"\nname = \"b\"\n") ==
        "exp.toml:3:8: Error while parsing key-value pair: cannot redefine existing string 'name'");
}

TEST_CASE("an unknown table is an error with a did-you-mean hint", "[experiment]") {
  CHECK(ParseError(kHead + "[splt]\nmethod = \"random\"\n") ==
        "exp.toml:8:2: unknown table 'splt' (did you mean 'split'?)");
  CHECK(ParseError(kHead + "[scenario_matrix]\n") ==
        "exp.toml:8:2: unknown table 'scenario_matrix' (known tables: experiment, dataset, split, arms, "
        "evaluation, "
        "profilers, ab, report, scenarios, tuning, logged, ope)");
  CHECK(ParseError("seed = 3\n" + kHead) ==
        "exp.toml:1:1: unknown top-level key 'seed' (known tables: experiment, dataset, split, arms, "
        "evaluation, "
        "profilers, ab, report, scenarios, tuning, logged, ope)");
}

TEST_CASE("an unknown key is an error at the key with a did-you-mean hint", "[experiment]") {
  CHECK(ParseError(kHead + "[split]\ntest_fration = 0.3\n") ==
        "exp.toml:9:1: unknown key 'test_fration' in [split] (did you mean 'test_fraction'?)");
  CHECK(ParseError(kHead + "[split]\nzeta = 5\n") ==
        "exp.toml:9:1: unknown key 'zeta' in [split] (known keys: method, test_fraction, leave_last, folds, "
        "fold, "
        "validation_fraction, min_user_interactions, seed, leakage, train, test, validation)");
  CHECK(ParseError(kHead + "reccommender = \"als\"\n") ==
        "exp.toml:8:1: unknown key 'reccommender' in [[arms]] (did you mean 'recommender'?)");
  // the first unknown key in file order, although TOML++ keeps keys sorted
  CHECK(ParseError(kHead + "[ab]\nzeta = 1\nalpah = 0.1\n") ==
        "exp.toml:9:1: unknown key 'zeta' in [ab] (known keys: "
        "control, primary_metric, assignment, alpha, "
        "correction, bootstrap_samples, weights, power)");
  CHECK(ParseError(kHead + "[evaluation]\nevaluators = [{ plugn = \"ranking\" }]\n") ==
        "exp.toml:9:17: unknown key 'plugn' in evaluation.evaluators (did you mean 'plugin'?)");
}

TEST_CASE("[experiment] values are checked for type and range", "[experiment]") {
  const std::string head = "[experiment]\nname = \"demo\"\n";
  CHECK(ParseError(head + "seed = -1\n") ==
        "exp.toml:3:8: experiment.seed: expected a non-negative integer, found -1");
  // a float that looks like an integer keeps its ".0", so it does not read as one
  CHECK(ParseError(head + "seed = 7.0\n") ==
        "exp.toml:3:8: experiment.seed: expected a non-negative integer, found 7.0");
  CHECK(ParseError(head + "threads = -2\n") ==
        "exp.toml:3:11: experiment.threads: expected an integer in [0, 65536] (0 = all cores), found -2");
  CHECK(ParseError(head + "description = 3\n") ==
        "exp.toml:3:15: experiment.description: expected a string, found 3");
  CHECK(ParseError(head + "plugin_paths = [\"a\", 2]\n") ==
        "exp.toml:3:22: experiment.plugin_paths: expected a non-empty string, found 2");
}

TEST_CASE("values of the wrong type or out of range say what was expected and what was found",
          "[experiment]") {
  // each value sits on line 9, right after kHead (lines 1-7) and its table header
  auto [header, line, expected] = GENERATE(table<std::string, std::string, std::string>({
      {"[split]", "test_fraction = 1.5",
       "exp.toml:9:17: split.test_fraction: expected a number in (0, 1), found 1.5"},
      {"[split]", "test_fraction = 0",
       "exp.toml:9:17: split.test_fraction: expected a number in (0, 1), found 0"},
      {"[split]", "test_fraction = \"0.2\"",
       "exp.toml:9:17: split.test_fraction: expected a number in (0, 1), found \"0.2\""},
      {"[split]", "method = \"tempral\"",
       "exp.toml:9:10: split.method: expected one of random, kfold, temporal, leave-last, leave-one-out, files, "
       "found \"tempral\" (did "
       "you mean "
       "'temporal'?)"},
      {"[split]", "leave_last = 0", "exp.toml:9:14: split.leave_last: expected a positive integer, found 0"},
      {"[split]", "min_user_interactions = -1",
       "exp.toml:9:25: split.min_user_interactions: expected a non-negative integer, found -1"},
      {"[evaluation]", "k = 0", "exp.toml:9:5: evaluation.k: expected a positive integer, found 0"},
      {"[evaluation]", "k = [10, -5]", "exp.toml:9:10: evaluation.k: expected a positive integer, found -5"},
      {"[evaluation]", "k = [10, 10]", "exp.toml:9:10: evaluation.k: 10 is listed twice"},
      {"[evaluation]", "k = []",
       "exp.toml:9:5: evaluation.k: expected a positive integer or a list of them, found a list"},
      {"[evaluation]", "metrics = [\"ndcg\", 3]",
       "exp.toml:9:20: evaluation.metrics: expected a non-empty string, found 3"},
      {"[ab]", "alpha = 1.5", "exp.toml:9:9: ab.alpha: expected a number in (0, 1), found 1.5"},
      {"[ab]", "assignment = \"random\"",
       "exp.toml:9:14: ab.assignment: expected one of paired, bucketed, found \"random\""},
      {"[ab]", "correction = \"bonferroni\"",
       "exp.toml:9:14: ab.correction: expected one of holm, bh, none, found \"bonferroni\""},
      {"[ab]", "bootstrap_samples = 0",
       "exp.toml:9:21: ab.bootstrap_samples: expected a positive integer, found 0"},
      {"[report]", "formats = [\"html\", \"pdf\"]",
       "exp.toml:9:20: report.formats: expected one of html, md, json, csv, latex, found \"pdf\" (did you "
       "mean 'md'?)"},
      {"[report]", "formats = [\"htm\"]",
       "exp.toml:9:12: report.formats: expected one of html, md, json, csv, latex, found \"htm\" (did you "
       "mean "
       "'html'?)"},
      {"[report]", "formats = [\"md\", \"md\"]", "exp.toml:9:18: report.formats: 'md' is listed twice"},
  }));
  CAPTURE(header, line);
  CHECK(ParseError(kHead + header + "\n" + line + "\n") == expected);
}

TEST_CASE("dataset keys are checked for type, choice and format", "[experiment]") {
  auto dataset = [](const std::string& lines) {
    return "[experiment]\nname = \"demo\"\n[dataset]\n" + lines +
           "\n[[arms]]\nname = \"p\"\nrecommender = \"popularity\"\n";
  };
  CHECK(ParseError(dataset("format = \"movielens-10m\"\ninteractions = \"ml\"")) ==
        "exp.toml:4:10: dataset.format: expected one of csv, movielens-100k, movielens-1m, movielens-latest, "
        "synthetic, found \"movielens-10m\" (did you mean 'movielens-1m'?)");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\non_bad_rows = \"ignore\"")) ==
        "exp.toml:5:15: dataset.on_bad_rows: expected one of error, skip, found \"ignore\"");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\nduplicates = \"mean\"")) ==
        "exp.toml:5:14: dataset.duplicates: expected one of last, first, sum, max, error, found \"mean\" "
        "(did you mean 'max'?)");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\ndelimiter = \"::\"")) ==
        "exp.toml:5:13: dataset.delimiter: expected a single character, \"\\t\" or \"auto\", found \"::\"");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\nheader = \"yes\"")) ==
        "exp.toml:5:10: dataset.header: expected true or false, found \"yes\"");
  CHECK(
      ParseError(dataset("format = \"synthetic\"\npreset = \"sampel\"")) ==
      "exp.toml:5:10: dataset.preset: expected one of tiny, sample, ml-100k, ml-1m, ml-20m, found \"sampel\" "
      "(did you mean 'sample'?)");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\npositive_threshold = nan")) ==
        "exp.toml:5:22: dataset.positive_threshold: expected a finite number, found nan");
  CHECK(ParseError(dataset("interactions = \"\"")) ==
        "exp.toml:4:16: dataset.interactions: expected a non-empty string, found \"\"");
  CHECK(
      ParseError(dataset("interactions = \"r.csv\"\nheader = false\nuser_column = \"uid\"")) ==
      "exp.toml:6:15: dataset.user_column: expected a 0-based column index (header = false), found \"uid\"");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\nuser_column = 0")) ==
        "exp.toml:5:15: dataset.user_column: expected a column name from the header line (header = true), "
        "found 0");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\nitem_column = \"user\"")) ==
        "exp.toml:5:15: dataset.item_column and dataset.user_column name the same column 'user'");
}

TEST_CASE("dataset keys that the format does not read are errors", "[experiment]") {
  auto dataset = [](const std::string& lines) {
    return "[experiment]\nname = \"demo\"\n[dataset]\n" + lines +
           "\n[[arms]]\nname = \"p\"\nrecommender = \"popularity\"\n";
  };
  CHECK(ParseError(dataset("format = \"movielens-1m\"\ninteractions = \"ml-1m\"\nuser_column = \"u\"")) ==
        "exp.toml:6:15: dataset.user_column: only used with format = \"csv\", not \"movielens-1m\"");
  CHECK(ParseError(dataset("interactions = \"r.csv\"\npreset = \"tiny\"")) ==
        "exp.toml:5:10: dataset.preset: only used with format = \"synthetic\", not \"csv\"");
  CHECK(ParseError(dataset("format = \"synthetic\"\ninteractions = \"r.csv\"")) ==
        "exp.toml:5:16: dataset.interactions: not used with format = \"synthetic\" (the data is generated)");
}

TEST_CASE("missing required tables and keys are errors", "[experiment]") {
  CHECK(ParseError("[dataset]\ninteractions = \"r.csv\"\n") ==
        "exp.toml: missing required table [experiment] (with at least name = \"...\")");
  CHECK(ParseError("[experiment]\nseed = 1\n") ==
        "exp.toml:1:1: missing required key 'name' in [experiment]");
  CHECK(ParseError("[experiment]\nname = \"x\"\n") ==
        "exp.toml: missing required table [dataset] (format and interactions, or format = \"synthetic\")");
  CHECK(ParseError("[experiment]\nname = \"x\"\n[dataset]\nformat = \"csv\"\n") ==
        "exp.toml:3:1: missing required key 'interactions' in [dataset] (the interactions file, or the "
        "directory "
        "of a MovieLens download)");
  CHECK(ParseError("[experiment]\nname = \"x\"\n[dataset]\nformat = \"synthetic\"\n") ==
        "exp.toml: missing [[arms]]: an experiment needs at least one arm (name and recommender)");
  CHECK(ParseError(kHead + "[[arms]]\nrecommender = \"als\"\n") ==
        "exp.toml:8:1: missing required key 'name' in [[arms]]");
  CHECK(ParseError(kHead + "[[arms]]\nname = \"als\"\n") ==
        "exp.toml:8:1: missing required key 'recommender' in [[arms]] 'als'");
  CHECK(ParseError(kHead + "[[profilers]]\nparams = { bins = 3 }\n") ==
        "exp.toml:8:1: missing required key 'plugin' in [[profilers]]");
  CHECK(ParseError("[experiment]\nname = \"a/b\"\n") ==
        "exp.toml:2:8: experiment.name: expected a name usable as a folder name (no '/' or '\\'), found "
        "\"a/b\"");
  CHECK(
      ParseError("[experiment]\nname = \"x\"\n[dataset]\ninteractions = \"r.csv\"\n[arms]\nname = \"a\"\n") ==
      "exp.toml:5:1: arms: expected a list of tables ([[arms]] with name and recommender), found a table");
}

TEST_CASE("a second arm with a used name is an error naming the first one's line", "[experiment]") {
  CHECK(ParseError(kHead + "[[arms]]\nname = \"pop\"\nrecommender = \"random\"\n") ==
        "exp.toml:9:8: duplicate arm name 'pop' (first used at line 6)");
}

TEST_CASE("a profiler or evaluator listed twice is an error", "[experiment]") {
  CHECK(ParseError(kHead + "[[profilers]]\nplugin = \"activity\"\n[[profilers]]\nplugin = \"activity\"\n") ==
        "exp.toml:11:10: profilers: profiler 'activity' is listed twice (first at line 9)");
  CHECK(ParseError(kHead + "[evaluation]\nevaluators = [\"ranking\", \"ranking\"]\n") ==
        "exp.toml:9:26: evaluation.evaluators: evaluator 'ranking' is listed twice (first at line 9)");
}

TEST_CASE("plugin parameters must be scalars, and only arm parameters may be lists", "[experiment]") {
  CHECK(ParseError(kHead + "params = { window = { days = 3 } }\n") ==
        "exp.toml:8:21: arms.pop.params.window: expected a number, boolean or string, or a list of them (a "
        "grid), "
        "found a table");
  CHECK(ParseError(kHead + "[[profilers]]\nplugin = \"activity\"\nparams = { bins = [2, 3] }\n") ==
        "exp.toml:10:19: profilers.activity.params.bins: expected a number, boolean or string, found a list");
  CHECK(ParseError(kHead + "params = 3\n") ==
        "exp.toml:8:10: arms.pop.params: expected a table of parameters, e.g. params = { factors = 64 }, "
        "found 3");
}

// ------------------------------------------------------------- grids

TEST_CASE("list values in arm params expand into one arm per combination", "[experiment][grid]") {
  const ExperimentSpec spec = Parse(kHead + R"([[arms]]
name = "als"
recommender = "als"
params = { regularization = [0.01, 0.1], factors = [32, 64], solver = "cg" }
)");
  // keys sorted (factors before regularization), the last key varying fastest
  REQUIRE(spec.arms.size() == 5);
  CHECK(spec.arms[0].name == "pop");
  CHECK(spec.arms[1].name == "als[factors=32,regularization=0.01]");
  CHECK(spec.arms[2].name == "als[factors=32,regularization=0.1]");
  CHECK(spec.arms[3].name == "als[factors=64,regularization=0.01]");
  CHECK(spec.arms[4].name == "als[factors=64,regularization=0.1]");
  const PluginUse& last = spec.arms[4].recommender;
  CHECK(last.plugin == "als");
  CHECK(last.params.at("factors") == ParamValue(int64_t{64}));
  CHECK(last.params.at("regularization") == ParamValue(0.1));
  CHECK(last.params.at("solver") == ParamValue(std::string("cg")));  // scalars are shared
  // each grid value keeps its own place: 64 is at line 11, column 57
  CHECK(last.param_where.at("factors").ToString() == "exp.toml:11:57");
  CHECK(last.param_where.at("regularization").ToString() == "exp.toml:11:36");
  CHECK(spec.arms[4].where.line == 8);
}

TEST_CASE("grid arm names show strings bare, floats as floats and booleans as words", "[experiment][grid]") {
  const ExperimentSpec spec = Parse(kHead + R"([[arms]]
name = "als"
recommender = "als"
params = { solver = ["cg", "cholesky"], use_bias = [true], regularization = [1.0, 1e-6] }
)");
  REQUIRE(spec.arms.size() == 5);
  CHECK(spec.arms[1].name == "als[regularization=1.0,solver=cg,use_bias=true]");
  CHECK(spec.arms[2].name == "als[regularization=1.0,solver=cholesky,use_bias=true]");
  CHECK(spec.arms[3].name == "als[regularization=1e-06,solver=cg,use_bias=true]");
}

TEST_CASE("a grid is checked: no empty lists, no repeated values, no clash of names", "[experiment][grid]") {
  CHECK(ParseError(kHead + "params = { window_days = [] }\n") ==
        "exp.toml:8:26: arms.pop.params.window_days: expected at least one value (a list in arm params is a "
        "grid of "
        "values), found a list");
  CHECK(ParseError(kHead + "params = { window_days = [7, 30, 7] }\n") ==
        "exp.toml:8:34: arms.pop.params.window_days: the grid lists 7 twice (first at line 8)");
  CHECK(ParseError(kHead + "params = { window_days = [[7]] }\n") ==
        "exp.toml:8:27: arms.pop.params.window_days: expected a number, boolean or string, found a list");
  CHECK(ParseError(R"([experiment]
name = "demo"
[dataset]
interactions = "ratings.csv"
[[arms]]
name = "pop[window_days=7]"
recommender = "popularity"
[[arms]]
name = "pop"
recommender = "popularity"
params = { window_days = [7, 30] }
)") == "exp.toml:9:8: duplicate arm name 'pop[window_days=7]' (first used at line 6)");
  CHECK(ParseError(kHead + "params = { a = [1,2,3,4,5,6,7,8,9,10], b = [1,2,3,4,5,6,7,8,9,10], "
                           "c = [1,2,3,4,5,6,7,8,9,10], d = [1,2,3,4,5,6,7,8,9,10], e = [1, 2] }\n") ==
        "exp.toml:6:8: arm 'pop': the grid expands to more than 10000 arms");
}

TEST_CASE("the control arm must exist after grid expansion", "[experiment][grid]") {
  const std::string grid =
      kHead + "[[arms]]\nname = \"als\"\nrecommender = \"als\"\nparams = { factors = [32, 64] }\n";
  CHECK(
      ParseError(grid + "[ab]\ncontrol = \"als\"\n") ==
      "exp.toml:13:11: ab.control: arm 'als' is a grid of 2 arms; name one of them, e.g. 'als[factors=32]'");
  CHECK(ParseError(grid + "[ab]\ncontrol = \"poop\"\n") ==
        "exp.toml:13:11: ab.control: no arm named 'poop' (did you mean 'pop'?)");
  CHECK(ParseError(grid + "[ab]\ncontrol = \"baseline\"\n") ==
        "exp.toml:13:11: ab.control: no arm named 'baseline' (arms: pop, als[factors=32], als[factors=64])");
  CHECK(Parse(grid + "[ab]\ncontrol = \"als[factors=64]\"\n").ab.control == "als[factors=64]");
}

TEST_CASE("the primary metric must use a listed k and, when metrics are listed, a listed metric",
          "[experiment]") {
  const std::string eval = kHead + "[evaluation]\nk = [10, 20]\nmetrics = [\"ndcg\", \"recall\"]\n[ab]\n";
  CHECK(ParseError(eval + "primary_metric = \"ndcg@5\"\n") ==
        "exp.toml:12:18: ab.primary_metric: 'ndcg@5' is at k = 5, which is not among evaluation.k (10, 20)");
  CHECK(
      ParseError(eval + "primary_metric = \"ndgc@10\"\n") ==
      "exp.toml:12:18: ab.primary_metric: metric 'ndgc' is not in evaluation.metrics (did you mean 'ndcg'?)");
  CHECK(Parse(eval + "primary_metric = \"recall@20\"\n").ab.primary_metric == "recall@20");
  // without a metrics list any metric name is left to the runner
  CHECK(Parse(kHead + "[ab]\nprimary_metric = \"mrr@10\"\n").ab.primary_metric == "mrr@10");
}

// ------------------------------------------------------------- overrides

TEST_CASE("a --set override is split at its first '='", "[experiment][override]") {
  const Override o = ParseOverride("arms.als.params.solver = \"a=b\"");
  CHECK(o.key == "arms.als.params.solver");
  CHECK(o.value == "\"a=b\"");
  CHECK(ErrorOf([] { ParseOverride("split.test_fraction"); }) ==
        "--set: expected section.key=value, e.g. split.test_fraction=0.3, found 'split.test_fraction'");
  CHECK(ErrorOf([] { ParseOverride("=3"); }) ==
        "--set: expected section.key=value, e.g. split.test_fraction=0.3, found '=3'");
}

TEST_CASE("overrides replace file values and add missing ones", "[experiment][override]") {
  const std::string text = kHead + R"([[arms]]
name = "als"
recommender = "als"
params = { factors = 32 }
[split]
test_fraction = 0.2
)";
  const ExperimentSpec spec = Parse(text, {{"experiment.seed", "7"},
                                           {"split.test_fraction", "0.3"},
                                           {"split.method", "temporal"},  // a bare word is a string
                                           {"evaluation.k", "[5, 10]"},
                                           {"ab.alpha", "0.01"},
                                           {"arms.als.params.factors", "16"},
                                           {"arms.als.regularization", "0.5"},
                                           {"arms.pop.recommender", "random"},
                                           {"dataset.interactions", "data/other.csv"}});
  CHECK(spec.seed == 7);
  CHECK(spec.split.seed == 7);  // the new experiment seed flows to the split default
  CHECK(spec.split.test_fraction == 0.3);
  CHECK(spec.split.method == "temporal");
  CHECK(spec.evaluation.ks == std::vector<int>{5, 10});
  CHECK(spec.ab.alpha == 0.01);
  REQUIRE(spec.arms.size() == 2);
  CHECK(spec.arms[0].recommender.plugin == "random");
  CHECK(spec.arms[1].recommender.params.at("factors") == ParamValue(int64_t{16}));
  CHECK(spec.arms[1].recommender.params.at("regularization") == ParamValue(0.5));
  // a path from the command line is relative to the working directory
  CHECK(spec.dataset.interactions == fs::current_path() / "data/other.csv");
  CHECK(spec.split.where.at("test_fraction").ToString() == "--set");
  CHECK(spec.resolved["experiment"]["overrides"][0] == "experiment.seed=7");
}

TEST_CASE("later overrides win, and an override list is a grid", "[experiment][override]") {
  const ExperimentSpec spec = Parse(kHead, {{"arms.pop.window_days", "[7, 30]"},
                                            {"experiment.threads", "2"},
                                            {"experiment.threads", "4"},
                                            {"arms.pop.name", "popular"},
                                            {"ab.control", "popular[window_days=30]"}});
  CHECK(spec.threads == 4);
  REQUIRE(spec.arms.size() == 2);
  CHECK(spec.arms[0].name == "popular[window_days=7]");
  CHECK(spec.arms[1].name == "popular[window_days=30]");
  CHECK(spec.ab.control == "popular[window_days=30]");
}

TEST_CASE("an override may supply a table the file lacks", "[experiment][override]") {
  const ExperimentSpec spec =
      Parse(kHead, {{"report.formats", "[\"html\"]"}, {"experiment.description", "from cli"}});
  CHECK(spec.report.formats == std::vector<std::string>{"html"});
  CHECK(spec.description == "from cli");
}

TEST_CASE("unknown override keys are errors at --set naming the override", "[experiment][override]") {
  CHECK(ParseError(kHead, {{"split.test_fration", "0.3"}}) ==
        "--set: override 'split.test_fration=0.3': unknown key 'test_fration' in [split] (did you mean "
        "'test_fraction'?)");
  CHECK(ParseError(kHead, {{"splt.method", "random"}}) ==
        "--set: override 'splt.method=random': unknown section 'splt' (did you mean 'split'?)");
  CHECK(ParseError(kHead, {{"arms.pob.window_days", "3"}}) ==
        "--set: override 'arms.pob.window_days=3': no arm named 'pob' (did you mean 'pop'?)");
  CHECK(ParseError(kHead, {{"arms.pop", "3"}}) ==
        "--set: override 'arms.pop=3': expected arms.<arm>.<param>, arms.<arm>.params.<param>, "
        "arms.<arm>.name or "
        "arms.<arm>.recommender");
  CHECK(ParseError(kHead, {{"split.method.x", "3"}}) ==
        "--set: override 'split.method.x=3': [split] has no sub-tables; expected split.<key>");
  CHECK(ParseError(kHead, {{"split..method", "3"}}) ==
        "--set: override 'split..method=3': expected a dotted key such as split.test_fraction");
}

TEST_CASE("overrides reach profiler parameters and scenario keys by plugin and kind",
          "[experiment][override]") {
  const std::string text = kHead + R"([[profilers]]
plugin = "activity"
params = { bins = 3 }
[[scenarios]]
kind = "cold-start-users"
user_fraction = 0.3
[[scenarios]]
kind = "diversity"
)";
  const ExperimentSpec spec = Parse(text, {{"profilers.activity.bins", "5"},
                                           {"profilers.activity.params.method", "quantile"},
                                           {"scenarios.cold-start-users.user_fraction", "0.2"},
                                           {"scenarios.cold-start-users.shots", "[0, 2]"},
                                           {"scenarios.diversity.lambda", "[0.0, 0.5]"}});
  REQUIRE(spec.profilers.size() == 1);
  CHECK(spec.profilers[0].params.at("bins") == ParamValue(int64_t{5}));
  CHECK(spec.profilers[0].params.at("method") == ParamValue(std::string("quantile")));
  REQUIRE(spec.scenarios.size() == 2);
  CHECK(spec.scenarios[0].user_fraction == 0.2);
  CHECK(spec.scenarios[0].shots == std::vector<int>{0, 2});
  CHECK(spec.scenarios[1].lambdas == std::vector<double>{0.0, 0.5});

  CHECK(
      ParseError(text, {{"profilers.activty.bins", "5"}}) ==
      "--set: override 'profilers.activty.bins=5': no [[profilers]] with plugin = \"activty\" (did you mean "
      "'activity'?)");
  CHECK(ParseError(text, {{"scenarios.diversity", "1"}}) ==
        "--set: override 'scenarios.diversity=1': expected scenarios.<kind>.<key>");
  CHECK(
      ParseError(text, {{"scenarios.diversity.kind", "cold-start-items"}}) ==
      "--set: override 'scenarios.diversity.kind=cold-start-items': cannot change the kind of an entry; edit "
      "the file");
  CHECK(ParseError(kHead, {{"scenarios.diversity.lambda", "[0.5]"}}) ==
        "--set: override 'scenarios.diversity.lambda=[0.5]': the file has no [[scenarios]]");
  const std::string twice = text + "[[scenarios]]\nkind = \"diversity\"\n";
  CHECK(ParseError(twice, {{"scenarios.diversity.lambda", "[0.5]"}}) ==
        "--set: override 'scenarios.diversity.lambda=[0.5]': 2 [[scenarios]] have kind = \"diversity\"; an "
        "override cannot tell them apart, edit the file");
}

TEST_CASE("a bad override value is reported at --set with the key it set", "[experiment][override]") {
  CHECK(ParseError(kHead, {{"split.test_fraction", "1.5"}}) ==
        "--set: split.test_fraction: expected a number in (0, 1), found 1.5");
  CHECK(ParseError(kHead, {{"evaluation.k", "ten"}}) ==
        "--set: evaluation.k: expected a positive integer, found \"ten\"");
}

// ------------------------------------------------------------- plugins

TEST_CASE("unknown plugins are errors with a did-you-mean hint or the list", "[experiment][plugins]") {
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"populartiy\"\n") ==
        "exp.toml:10:15: unknown recommender 'populartiy' (did you mean 'popularity'?)");
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"ease\"\n") ==
        "exp.toml:10:15: unknown recommender 'ease' (available: als, hybrid, popularity, random)");
  CHECK(CheckError(kHead + "[[profilers]]\nplugin = \"activty\"\n") ==
        "exp.toml:9:10: unknown profiler 'activty' (did you mean 'activity'?)");
  CHECK(CheckError(kHead + "[evaluation]\nevaluators = [\"rankng\"]\n") ==
        "exp.toml:9:15: unknown evaluator 'rankng' (did you mean 'ranking'?)");
}

TEST_CASE("a plugin of the wrong kind is an error saying which kind it is", "[experiment][plugins]") {
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"activity\"\n") ==
        "exp.toml:10:15: 'activity' is a profiler plugin, not a recommender");
  CHECK(CheckError(kHead + "[evaluation]\nevaluators = [\"als\"]\n") ==
        "exp.toml:9:15: 'als' is a recommender plugin, not an evaluator");
}

TEST_CASE("unknown parameters are errors with did-you-mean or the valid ones", "[experiment][plugins]") {
  const std::string als = kHead + "[[arms]]\nname = \"als\"\nrecommender = \"als\"\n";
  CHECK(CheckError(als + "params = { factros = 8 }\n") ==
        "exp.toml:11:12: recommender 'als': unknown parameter 'factros' (did you mean 'factors'?)");
  CHECK(CheckError(als + "params = { learning_rate = 0.1 }\n") ==
        "exp.toml:11:12: recommender 'als': unknown parameter 'learning_rate' (valid parameters: factors, "
        "regularization, solver, use_bias)");
  CHECK(CheckError(kHead + "[[arms]]\nname = \"r\"\nrecommender = \"random\"\nparams = { seed = 1 }\n") ==
        "exp.toml:11:12: recommender 'random': unknown parameter 'seed' (it takes no parameters)");
}

TEST_CASE("parameter types and ranges are checked at the value", "[experiment][plugins]") {
  const std::string als = kHead + "[[arms]]\nname = \"als\"\nrecommender = \"als\"\n[arms.params]\n";
  // factors = -3 is on line 12; the value starts at column 11
  CHECK(CheckError(als + "factors = -3\n") ==
        "exp.toml:12:11: recommender 'als', parameter 'factors': expected an integer in [1, 4096], found -3");
  CHECK(
      CheckError(als + "factors = 2.5\n") ==
      "exp.toml:12:11: recommender 'als', parameter 'factors': expected an integer in [1, 4096], found 2.5");
  CHECK(CheckError(als + "solver = \"lu\"\n") ==
        "exp.toml:12:10: recommender 'als', parameter 'solver': expected a string (one of cg|cholesky), "
        "found \"lu\"");
  CHECK(CheckError(als + "use_bias = 1\n") ==
        "exp.toml:12:12: recommender 'als', parameter 'use_bias': expected a boolean, found 1");
  // in a grid, the offending element is pointed at
  CHECK(CheckError(als + "factors = [8, 0]\n") ==
        "exp.toml:12:15: recommender 'als', parameter 'factors': expected an integer in [1, 4096], found 0");
  CHECK(CheckError(kHead + "[[profilers]]\nplugin = \"activity\"\nparams = { bins = 1 }\n") ==
        "exp.toml:10:19: profiler 'activity', parameter 'bins': expected an integer in [2, 10], found 1");
}

TEST_CASE("an integer given for a float parameter becomes a float", "[experiment][plugins]") {
  ExperimentSpec spec =
      Parse(kHead + "[[arms]]\nname = \"als\"\nrecommender = \"als\"\nparams = { regularization = 1 }\n");
  CheckPlugins(spec, FakeCatalog());
  CHECK(spec.arms[1].recommender.params.at("regularization") == ParamValue(1.0));
}

TEST_CASE("the default evaluator must exist like any other", "[experiment][plugins]") {
  class NoEvaluators : public FakeCatalog {
   public:
    const PluginInfo* Find(PluginKind kind, const std::string& name) const override {
      return kind == PluginKind::kEvaluator ? nullptr : FakeCatalog::Find(kind, name);
    }
    std::vector<std::string> Names(PluginKind kind) const override {
      return kind == PluginKind::kEvaluator ? std::vector<std::string>{} : FakeCatalog::Names(kind);
    }
  };
  ExperimentSpec spec = Parse(kHead);
  CHECK(ErrorOf([&] { CheckPlugins(spec, NoEvaluators()); }) ==
        "exp.toml: unknown evaluator 'ranking' (no evaluator plugins are available)");
}

TEST_CASE("the resolved configuration holds every effective value and full parameter sets",
          "[experiment][plugins]") {
  ExperimentSpec spec = Parse(kHead + R"([[arms]]
name = "als"
recommender = "als"
params = { factors = [16, 32] }
[[profilers]]
plugin = "activity"
)",
                              {{"ab.alpha", "0.1"}});
  // before the plugin check, only what the file says
  CHECK(spec.resolved["arms"][1]["params"] == nlohmann::json{{"factors", 16}});
  CHECK_FALSE(spec.resolved["arms"][1].contains("version"));

  CheckPlugins(spec, FakeCatalog());
  const nlohmann::json& r = spec.resolved;
  CHECK(r["experiment"]["name"] == "demo");
  CHECK(r["experiment"]["seed"] == 42);
  CHECK(r["experiment"]["output"] == "reports/demo");
  CHECK(r["experiment"]["overrides"] == nlohmann::json{"ab.alpha=0.1"});
  CHECK(r["dataset"]["format"] == "csv");
  CHECK(r["dataset"]["interactions"] == (fs::current_path() / "ratings.csv").string());
  CHECK(r["dataset"]["items"] == nullptr);
  CHECK(r["dataset"]["user_column"] == "user");
  CHECK(r["dataset"]["positive_threshold"] == nullptr);
  CHECK_FALSE(r["dataset"].contains("preset"));  // csv: the synthetic keys do not apply
  CHECK(r["split"] == nlohmann::json{{"method", "random"},
                                     {"test_fraction", 0.2},
                                     {"leave_last", 1},
                                     {"folds", 5},
                                     {"fold", nullptr},
                                     {"validation_fraction", 0.0},
                                     {"min_user_interactions", 2},
                                     {"seed", 42},
                                     {"leakage", "warn"}});
  REQUIRE(r["arms"].size() == 3);
  CHECK(r["arms"][0] == nlohmann::json{{"name", "pop"},
                                       {"recommender", "popularity"},
                                       {"version", "1.2.0"},
                                       {"params", {{"window_days", 0}}}});
  CHECK(r["arms"][2]["name"] == "als[factors=32]");
  CHECK(r["arms"][2]["params"] ==
        nlohmann::json{{"factors", 32}, {"regularization", 0.05}, {"solver", "cg"}, {"use_bias", true}});
  CHECK(r["evaluation"]["k"] == nlohmann::json{10});
  CHECK(r["evaluation"]["evaluators"] ==
        nlohmann::json::array(
            {{{"plugin", "ranking"}, {"version", "1.2.0"}, {"params", {{"exclude_seen", true}}}}}));
  CHECK(r["profilers"][0]["params"] == nlohmann::json{{"bins", 4}});
  CHECK(r["ab"]["alpha"] == 0.1);
  CHECK(r["ab"]["control"] == "pop");
  CHECK(r["report"]["formats"] == nlohmann::json{"md", "json", "csv"});
}

TEST_CASE("a composite arm lists its child recommenders, checked like arms", "[experiment][plugins]") {
  const std::string hybrid = kHead + R"([[arms]]
name = "blend"
recommender = "hybrid"
params = { mix = [0.3, 0.7] }
children = ["popularity", { recommender = "als", params = { factors = 8 } }]
)";
  ExperimentSpec spec = Parse(hybrid);
  REQUIRE(spec.arms.size() == 3);
  CHECK(spec.arms[1].name == "blend[mix=0.3]");
  REQUIRE(spec.arms[2].children.size() == 2);  // every grid arm gets the children
  CHECK(spec.arms[2].children[0].plugin == "popularity");
  CHECK(spec.arms[2].children[1].plugin == "als");
  CHECK(spec.arms[2].children[1].params.at("factors") == ParamValue(int64_t{8}));
  CheckPlugins(spec, FakeCatalog());
  CHECK(spec.resolved["arms"][1]["children"][1] ==
        nlohmann::json{
            {"recommender", "als"},
            {"version", "1.2.0"},
            {"params", {{"factors", 8}, {"regularization", 0.05}, {"solver", "cg"}, {"use_bias", true}}}});
  CHECK_FALSE(spec.resolved["arms"][0].contains("children"));

  CHECK(CheckError(kHead + "children = [\"random\"]\n") ==
        "exp.toml:8:13: recommender 'popularity' takes no children: it is not a composite recommender");
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"hybrid\"\n") ==
        "exp.toml:10:15: recommender 'hybrid' is a composite: list the recommenders it combines in children "
        "= [...]");
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"hybrid\"\nchildren = [\"hybrid\"]\n") ==
        "exp.toml:11:13: child recommender 'hybrid' is itself a composite; composites cannot be nested");
  CHECK(CheckError(kHead + "[[arms]]\nname = \"b\"\nrecommender = \"hybrid\"\n"
                           "children = [{ recommender = \"als\", params = { factors = 0 } }]\n") ==
        "exp.toml:11:57: recommender 'als', parameter 'factors': expected an integer in [1, 4096], found 0");
  CHECK(ParseError(kHead + "children = [{ recommender = \"als\", params = { factors = [8, 16] } }]\n") ==
        "exp.toml:8:57: arms.pop.children.als.params.factors: expected a number, boolean or string, found a "
        "list");
  CHECK(ParseError(kHead + "children = [{ recomender = \"als\" }]\n") ==
        "exp.toml:8:15: unknown key 'recomender' in arms.pop.children (did you mean 'recommender'?)");
  CHECK(ParseError(kHead + "children = []\n") ==
        "exp.toml:8:12: arms.pop.children: expected at least one recommender, found a list");
  // children can be replaced from the command line
  CHECK(Parse(hybrid, {{"arms.blend.children", "[\"random\", \"popularity\"]"}}).arms[1].children[0].plugin ==
        "random");
}

// ------------------------------------------------------------- files and paths

TEST_CASE("paths resolve against the experiment file's folder", "[experiment][files]") {
  TempDir dir("paths");
  dir.Write("exps/run.toml", R"([experiment]
name = "p"
output = "../out"
plugin_paths = "plugins"
[dataset]
interactions = "../data/r.csv"
items = "/abs/items.csv"
[[arms]]
name = "pop"
recommender = "popularity"
)");
  const ExperimentSpec spec = ParseExperimentFile(dir.path / "exps/run.toml");
  CHECK(spec.base_dir == dir.path / "exps");
  CHECK(spec.output == dir.path / "out");
  CHECK(spec.plugin_paths == std::vector<fs::path>{dir.path / "exps/plugins"});
  CHECK(spec.dataset.interactions == dir.path / "data/r.csv");
  CHECK(spec.dataset.items == "/abs/items.csv");
  CHECK(spec.dataset.where.at("interactions").file == (dir.path / "exps/run.toml").string());
}

TEST_CASE("a missing experiment file is an error naming it", "[experiment][files]") {
  CHECK(ErrorOf([] { ParseExperimentFile("/nonexistent/x.toml"); }) ==
        "/nonexistent/x.toml: cannot read the experiment file (not found)");
}

TEST_CASE("missing dataset files are errors at the key that names them", "[experiment][files]") {
  TempDir dir("files");
  const std::string text = R"([experiment]
name = "f"
[dataset]
interactions = "r.csv"
items = "items.csv"
[[arms]]
name = "pop"
recommender = "popularity"
)";
  const fs::path file = dir.path / "f.toml";
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) ==
        file.string() + ":4:16: dataset.interactions: file not found: " + (dir.path / "r.csv").string());
  dir.Write("r.csv", "user,item\n1,2\n");
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) ==
        file.string() + ":5:9: dataset.items: file not found: " + (dir.path / "items.csv").string());
  fs::create_directories(dir.path / "items.csv");
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) ==
        file.string() +
            ":5:9: dataset.items: expected a file, found a directory: " + (dir.path / "items.csv").string());
  fs::remove(dir.path / "items.csv");
  dir.Write("items.csv", "item\n2\n");
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) == "no error");
}

TEST_CASE("a MovieLens folder must hold the files of its release", "[experiment][files]") {
  TempDir dir("movielens");
  const std::string text = R"([experiment]
name = "ml"
[dataset]
format = "movielens-100k"
interactions = "ml-100k"
[[arms]]
name = "pop"
recommender = "popularity"
)";
  const fs::path file = dir.path / "ml.toml";
  const fs::path folder = dir.path / "ml-100k";
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) ==
        file.string() + ":5:16: dataset.interactions: directory not found: " + folder.string() +
            " (format \"movielens-100k\" reads the unpacked MovieLens 100K folder)");
  dir.Write("ml-100k/u.data", "1\t2\t5\t881250949\n");
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) ==
        file.string() + ":5:16: dataset.interactions: " + folder.string() +
            " has no u.item (expected the MovieLens 100K files u.data and u.item)");
  dir.Write("ml-100k/u.item", "2|Movie|...\n");
  CHECK(ErrorOf([&] { CheckFiles(ParseExperimentString(text, file)); }) == "no error");
}

TEST_CASE("a synthetic dataset needs no files, but plugin paths must exist", "[experiment][files]") {
  const std::string text = R"([experiment]
name = "s"
plugin_paths = ["/nonexistent/plugins"]
[dataset]
format = "synthetic"
[[arms]]
name = "pop"
recommender = "popularity"
)";
  CHECK(ErrorOf([&] { CheckFiles(Parse(text)); }) ==
        "exp.toml:3:16: experiment.plugin_paths: directory not found: /nonexistent/plugins");
  CHECK(ErrorOf([&] { CheckFiles(Parse(text, {{"experiment.plugin_paths", "[]"}})); }) == "no error");
  TempDir dir("plugin-paths");
  dir.Write("lib.so", "");
  CHECK(ErrorOf([&] {
          CheckFiles(Parse(text, {{"experiment.plugin_paths", (dir.path / "lib.so").string()}}));
        }) == "--set: experiment.plugin_paths: not a directory: " + (dir.path / "lib.so").string());
}
