// The tuning stage end to end with a recording stub plugin: trials are fitted
// on training minus validation and never see a validation or test pair, the
// chosen configuration is refitted on the whole training split (or not, with
// refit = false), a failing trial fails only itself, and the results say so.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
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

std::string Experiment(const fs::path& record, const std::string& tuning) {
  return "[experiment]\nname = \"tune-leak\"\nseed = 5\n[dataset]\nformat = \"synthetic\"\npreset = "
         "\"tiny\"\n"
         "[split]\nmethod = \"random\"\ntest_fraction = 0.2\n"
         "[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n"
         "[[arms]]\nname = \"rec\"\nrecommender = \"recording\"\nparams = { record = \"" +
         record.string() +
         "\" }\ntune = { x = [0.2, 0.7, 0.95] }\n"
         "[tuning]\nmethod = \"grid\"\nvalidation_fraction = 0.25\n" +
         tuning +
         "[evaluation]\nk = [10]\nmetrics = [\"ndcg\", \"recall\"]\n[ab]\nprimary_metric = \"ndcg@10\"\n"
         "[report]\nformats = [\"json\"]\n";
}

struct Fit {
  std::string x;
  std::set<std::pair<uint32_t, uint32_t>> pairs;
};

std::vector<Fit> ReadFits(const fs::path& record) {
  std::ifstream in(record);
  std::vector<Fit> fits;
  std::string line;
  while (std::getline(in, line)) {
    Fit f;
    f.x = line.substr(line.find("x=") + 2, line.find(' ', line.find("x=")) - line.find("x=") - 2);
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

Tuned RunTuned(const std::string& name, const std::string& tuning) {
  const fs::path dir = TempDir(name);
  const fs::path record = dir / "fits.txt";
  Tuned t;
  t.spec = ParseExperimentString(Experiment(record, tuning), dir / "exp.toml");
  CheckPlugins(t.spec, Registry());
  RunOptions options;
  options.output = dir / "out";
  options.threads = 2;
  t.outcome = RunExperiment(t.spec, Registry(), options);
  t.fits = ReadFits(record);
  t.data = LoadDataset(t.spec.dataset);
  SplitSpec ss = t.spec.split;
  ss.validation_fraction = 0.25;
  t.split = MakeSplit(t.data, ss);
  return t;
}

}  // namespace

TEST_CASE("tuning trials never see validation or test pairs, and the best is refitted on all training",
          "[tuning][e2e]") {
  const Tuned t = RunTuned("refit", "");
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
  const Tuned t = RunTuned("no-refit", "refit = false\n");
  const auto train = Pairs(t.data, t.split.train);
  const auto validation = Pairs(t.data, t.split.validation);
  REQUIRE(t.fits.size() == 4);
  CHECK(t.fits[3].pairs == train);
  for (const auto& p : validation) CHECK(t.fits[3].pairs.count(p) == 0);
  CHECK(t.outcome.results["split"]["validation"] == t.split.validation.size());
  CHECK(t.outcome.results["split"]["test"] == t.split.test.size());
}
