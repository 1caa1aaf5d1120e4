// The tuning stage end to end with a recording stub plugin: trials are fitted
// on training minus validation and never see a validation or test pair, the
// chosen configuration is refitted on the whole training split (or not, with
// refit = false), a failing trial fails only itself, and the results say so.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <climits>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "experiment/spec.h"
#include "runner/runner.h"
#include "split/split.h"

using namespace reclift::host;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

const PluginRegistry& Registry() {
  static PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    r->LoadDirectory(fs::path(RECLIFT_TEST_PLUGIN_DIR) / "recording");
    return r;
  }();
  return *registry;
}

fs::path TempDir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("reclift-tune-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Experiment(const fs::path& record, const std::string& tuning,
                       const std::string& split = "method = \"random\"\ntest_fraction = 0.2\n",
                       const std::string& tune = "x = [0.2, 0.7, 0.95]") {
  return "[experiment]\nname = \"tune-leak\"\nseed = 5\n[dataset]\nformat = \"synthetic\"\npreset = "
         "\"tiny\"\n[split]\n" +
         split +
         "[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n"
         "[[arms]]\nname = \"rec\"\nrecommender = \"recording\"\nparams = { record = \"" +
         record.string() + "\" }\ntune = { " + tune +
         " }\n"
         "[tuning]\nvalidation_fraction = 0.25\n" +
         tuning +
         "[evaluation]\nk = [10]\nmetrics = [\"ndcg\", \"recall\"]\n[ab]\nprimary_metric = \"ndcg@10\"\n"
         "[report]\nformats = [\"json\"]\n";
}

struct Fit {
  std::string x;
  int epochs = 0;
  std::set<std::pair<uint32_t, uint32_t>> pairs;
};

std::vector<Fit> ReadFits(const fs::path& record) {
  std::ifstream in(record);
  std::vector<Fit> fits;
  std::string line;
  while (std::getline(in, line)) {
    Fit f;
    f.x = line.substr(line.find("x=") + 2, line.find(' ', line.find("x=")) - line.find("x=") - 2);
    f.epochs = std::stoi(line.substr(line.find("epochs=") + 7));
    std::stringstream pairs(line.substr(line.find("pairs=") + 6));
    std::string pair;
    while (std::getline(pairs, pair, ',')) {
      if (pair.empty()) continue;
      const size_t colon = pair.find(':');
      f.pairs.insert({static_cast<uint32_t>(std::stoul(pair.substr(0, colon))),
                      static_cast<uint32_t>(std::stoul(pair.substr(colon + 1)))});
    }
    fits.push_back(std::move(f));
  }
  return fits;
}

std::set<std::pair<uint32_t, uint32_t>> Pairs(const Dataset& d, const std::vector<uint64_t>& rows) {
  std::set<std::pair<uint32_t, uint32_t>> out;
  for (uint64_t r : rows) out.insert({d.users[r], d.items[r]});
  return out;
}

struct Tuned {
  ExperimentSpec spec;
  RunOutcome outcome;
  std::vector<Fit> fits;
  Dataset data;
  Split split;  // with the tuner's validation carved
};

Tuned RunTuned(const std::string& name, const std::string& tuning,
               const std::string& split = "method = \"random\"\ntest_fraction = 0.2\n",
               const std::string& tune = "x = [0.2, 0.7, 0.95]") {
  const fs::path dir = TempDir(name);
  const fs::path record = dir / "fits.txt";
  Tuned t;
  t.spec = ParseExperimentString(Experiment(record, tuning, split, tune), dir / "exp.toml");
  CheckPlugins(t.spec, Registry());
  RunOptions options;
  options.output = dir / "out";
  options.threads = 2;
  t.outcome = RunExperiment(t.spec, Registry(), options);
  t.fits = ReadFits(record);
  t.data = LoadDataset(t.spec.dataset);
  SplitSpec ss = t.spec.split;
  ss.validation_fraction = 0.25;
  ss.fold = FoldsToRun(ss).front();
  t.split = MakeSplit(t.data, ss);
  return t;
}

}  // namespace

TEST_CASE("tuning trials never see validation or test pairs, and the best is refitted on all training",
          "[tuning][e2e]") {
  const Tuned t = RunTuned("refit", "method = \"grid\"\n");
  const auto train = Pairs(t.data, t.split.train);
  const auto validation = Pairs(t.data, t.split.validation);
  const auto test = Pairs(t.data, t.split.test);
  REQUIRE_FALSE(validation.empty());
  REQUIRE_FALSE(test.empty());
  // three trials (grid), then the arm's own fit
  REQUIRE(t.fits.size() == 4);
  for (size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(t.fits[i].pairs == train);  // exactly training minus validation
    for (const auto& p : t.fits[i].pairs) {
      CHECK(validation.count(p) == 0);
      CHECK(test.count(p) == 0);
    }
  }
  const Fit& final_fit = t.fits[3];
  CHECK(final_fit.x == "0.700000");
  for (const auto& p : validation) CHECK(final_fit.pairs.count(p) == 1);  // refitted with validation
  for (const auto& p : final_fit.pairs) CHECK(test.count(p) == 0);
  CHECK(final_fit.pairs.size() == train.size() + validation.size());

  const nlohmann::json& section = t.outcome.results["tuning"];
  REQUIRE(section.is_object());
  CHECK(section["metric"] == "ndcg@10");
  CHECK(section["validation"]["validation"] == t.split.validation.size());
  const nlohmann::json& arm = section["arms"][0];
  CHECK(arm["arm"] == "rec");
  REQUIRE(arm["trials"].size() == 3);
  // x = 0.95 fails on purpose: that trial alone
  CHECK(arm["trials"][2]["status"] == "failed");
  CHECK_THAT(arm["trials"][2]["error"].get<std::string>(), Contains("fails on purpose"));
  CHECK(arm["failed"] == 1);
  CHECK(arm["best"]["params"]["x"] == 0.7);
  CHECK(arm["best_so_far"].size() == 3);
  CHECK(arm["best_so_far"][1].get<double>() >= arm["best_so_far"][0].get<double>());
  CHECK(arm["best_so_far"][2] == arm["best_so_far"][1]);
  CHECK(t.outcome.results["arms"][1]["params"]["x"] == 0.7);
  CHECK(t.outcome.results["arms"][1]["status"] == "ok");
  bool warned = false;
  for (const auto& w : t.outcome.results["warnings"])
    warned = warned || w.get<std::string>().find("trial 2 failed") != std::string::npos;
  CHECK(warned);
  for (const auto& f : t.outcome.results["leakage"]) CHECK(f["kind"] != "tuning-on-test");
}

TEST_CASE("with refit = false the arms are evaluated as fitted on training minus validation",
          "[tuning][e2e]") {
  const Tuned t = RunTuned("no-refit", "method = \"grid\"\nrefit = false\n");
  const auto train = Pairs(t.data, t.split.train);
  const auto validation = Pairs(t.data, t.split.validation);
  REQUIRE(t.fits.size() == 4);
  CHECK(t.fits[3].pairs == train);
  for (const auto& p : validation) CHECK(t.fits[3].pairs.count(p) == 0);
  CHECK(t.outcome.results["split"]["validation"] == t.split.validation.size());
  CHECK(t.outcome.results["split"]["test"] == t.split.test.size());
}

TEST_CASE("every split method carves the trials' validation from training only", "[tuning][e2e]") {
  const std::pair<const char*, const char*> methods[] = {
      {"temporal", "method = \"temporal\"\ntest_fraction = 0.2\n"},
      {"leave-last", "method = \"leave-last\"\nleave_last = 2\n"},
      {"kfold", "method = \"kfold\"\nfolds = 3\n"}};
  for (const auto& [name, split] : methods) {
    CAPTURE(name);
    const Tuned t =
        RunTuned(name, "method = \"random\"\ntrials = 4\n", split, "x = { uniform = [0.0, 0.9] }");
    const auto train = Pairs(t.data, t.split.train);
    const auto validation = Pairs(t.data, t.split.validation);
    const auto test = Pairs(t.data, t.split.test);
    REQUIRE_FALSE(validation.empty());
    REQUIRE(t.fits.size() >= 5);  // 4 trials, then the arm (and, for kfold, the other folds)
    for (size_t i = 0; i < 4; ++i) {
      CHECK(t.fits[i].pairs == train);
      for (const auto& p : t.fits[i].pairs) CHECK(test.count(p) == 0);
    }
    if (std::string(name) == "temporal") {
      // validation is the latest part of the training period
      int64_t latest_train = INT64_MIN, earliest_validation = INT64_MAX;
      for (uint64_t r : t.split.train) latest_train = std::max(latest_train, t.data.timestamps[r]);
      for (uint64_t r : t.split.validation)
        earliest_validation = std::min(earliest_validation, t.data.timestamps[r]);
      CHECK(latest_train < earliest_validation);
    }
  }
}

TEST_CASE("successive halving fits the survivors with growing budgets up to the arm's own", "[tuning][e2e]") {
  const Tuned t = RunTuned("halving", "method = \"halving\"\ntrials = 9\neta = 3\n",
                           "method = \"random\"\ntest_fraction = 0.2\n", "x = { uniform = [0.0, 0.9] }");
  std::map<int, int> by_budget;
  for (size_t i = 0; i + 1 < t.fits.size(); ++i) ++by_budget[t.fits[i].epochs];
  CHECK(by_budget == std::map<int, int>{{1, 9}, {3, 3}, {9, 1}});  // the plugin's default epochs = 9
  CHECK(t.fits.back().epochs == 9);
  const nlohmann::json& arm = t.outcome.results["tuning"]["arms"][0];
  CHECK(arm["budget_parameter"] == "epochs");
  CHECK(arm["best"]["trial"] == 12);
}

TEST_CASE("the shipped tuning and official-fold experiments parse and check against the plugins",
          "[tuning][experiment]") {
  for (const char* file : {"movielens100k_official.toml", "movielens100k_topn.toml", "tuning.toml"}) {
    CAPTURE(file);
    ExperimentSpec spec = ParseExperimentFile(fs::path(RECLIFT_SOURCE_DIR) / "experiments" / file);
    CHECK_NOTHROW(CheckPlugins(spec, Registry()));
  }
  const ExperimentSpec official =
      ParseExperimentFile(fs::path(RECLIFT_SOURCE_DIR) / "experiments" / "movielens100k_official.toml");
  CHECK(official.split.method == "files");
  CHECK(official.dataset.split_files.folds == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(FoldsToRun(official.split).size() == 5);
}

TEST_CASE("on the bundled sample, tuned ALS and item-kNN beat their defaults on test", "[tuning][slow]") {
  ExperimentSpec spec = ParseExperimentFile(fs::path(RECLIFT_SOURCE_DIR) / "experiments" / "tuning.toml");
  CheckPlugins(spec, Registry());
  RunOptions options;
  options.output = TempDir("sample") / "out";
  options.threads = 2;
  const RunOutcome outcome = RunExperiment(spec, Registry(), options);
  std::map<std::string, double> ndcg;
  for (const auto& arm : outcome.results["arms"]) {
    REQUIRE(arm["status"] == "ok");
    ndcg[arm["name"].get<std::string>()] = arm["metrics"]["ndcg@10"]["mean"].get<double>();
  }
  CAPTURE(ndcg);
  CHECK(ndcg.at("als_tuned") > ndcg.at("als"));
  CHECK(ndcg.at("item_knn_tuned") > ndcg.at("item_knn"));
  for (const auto& arm : outcome.results["tuning"]["arms"]) {
    CHECK(arm["failed"] == 0);
    CHECK(arm["trials"].size() == 30);
    // the search started from the arm's defaults and did not end below them
    CHECK(arm["best"]["value"].get<double>() >= arm["trials"][0]["value"].get<double>());
  }
}

TEST_CASE("the leakage check still flags a plain grid judged on test next to a tuned arm", "[tuning][e2e]") {
  const fs::path dir = TempDir("grid");
  const std::string text =
      "[experiment]\nname = \"grid\"\nseed = 5\n[dataset]\nformat = \"synthetic\"\npreset = \"tiny\"\n"
      "[split]\nmethod = \"random\"\n"
      "[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n"
      "[[arms]]\nname = \"grid\"\nrecommender = \"recording\"\nparams = { x = [0.2, 0.7] }\n"
      "[[arms]]\nname = \"tuned\"\nrecommender = \"recording\"\ntune = { x = [0.2, 0.7] }\n"
      "[tuning]\nmethod = \"grid\"\n[evaluation]\nk = [10]\nmetrics = [\"ndcg\"]\n[report]\nformats = "
      "[\"json\"]\n";
  ExperimentSpec spec = ParseExperimentString(text, dir / "exp.toml");
  CheckPlugins(spec, Registry());
  RunOptions options;
  options.output = dir / "out";
  options.threads = 2;
  const RunOutcome outcome = RunExperiment(spec, Registry(), options);
  size_t tuning_on_test = 0;
  for (const auto& f : outcome.results["leakage"]) {
    if (f["kind"] == "tuning-on-test") {
      ++tuning_on_test;
      CHECK(f["count"] == 2);  // the two grid arms, not the tuned one
    }
  }
  CHECK(tuning_on_test == 1);
  CHECK(outcome.results["tuning"]["arms"].size() == 1);
  CHECK(outcome.results["tuning"]["arms"][0]["arm"] == "tuned");
}
