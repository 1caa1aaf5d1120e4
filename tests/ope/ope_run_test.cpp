// An experiment with logged data end to end: two recommender arms as target
// policies, the estimator plugins, results.json and the reports.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "experiment/spec.h"
#include "ope_fixture.h"
#include "report/html.h"
#include "report/render.h"
#include "runner/runner.h"

namespace {

using namespace ope_test;
namespace fs = std::filesystem;

const char* kExperiment = R"(
[experiment]
name = "ope-run"
seed = 3
threads = 2
[dataset]
format = "synthetic"
preset = "tiny"
[split]
method = "random"
[[arms]]
name = "popularity"
recommender = "popularity"
[[arms]]
name = "als"
recommender = "als"
[evaluation]
k = [5]
metrics = ["ndcg"]
[[profilers]]
plugin = "activity"
[logged]
format = "synthetic"
rounds = 3000
actions = 8
slate_size = 2
[ope]
estimators = ["dm", "ips", "snips", "dr", "slate_sips"]
bootstrap_samples = 100
[[ope.policies]]
arm = "popularity"
policy = "softmax"
[[ope.policies]]
arm = "als"
policy = "epsilon-greedy"
epsilon = 0.3
[report]
formats = ["md", "json", "html"]
)";

}  // namespace

TEST_CASE("an experiment with logged data reports estimates, truth, verdicts and diagnostics", "[ope][run]") {
  ExperimentSpec spec = ParseExperimentString(kExperiment, "ope-run.toml");
  const PluginRegistry& registry = Plugins();
  CheckPlugins(spec, registry);
  const fs::path out = fs::temp_directory_path() / "reclift-ope-run-test";
  fs::remove_all(out);
  RunOptions options;
  options.output = out;
  const RunOutcome outcome = RunExperiment(spec, registry, options);
  const nlohmann::json& ope = outcome.results.at("ope");
  CHECK(ope["logged"]["rounds"] == 3000);
  CHECK(ope["logged"]["has_truth"] == true);
  REQUIRE(ope["policies"].size() == 2);
  for (const auto& p : ope["policies"]) {
    REQUIRE(p["truth"].is_number());
    REQUIRE(p["estimates"].size() == 5);
    for (const auto& e : p["estimates"]) {
      INFO(p["name"] << " " << e.dump());
      REQUIRE(e["value"].is_number());
      CHECK(e["ci_low"].get<double>() <= e["value"].get<double>());
      CHECK(e["value"].get<double>() <= e["ci_high"].get<double>());
      CHECK(e["error"].get<double>() == Approx(e["value"].get<double>() - p["truth"].get<double>()));
    }
    CHECK(p["diagnostics"]["ess"].get<double>() > 0);
    CHECK(p["diagnostics"]["mean_weight"].get<double>() == Approx(1.0).margin(0.15));
  }
  // IPS on the softmax-of-popularity policy, close to the logger, is near its truth
  const auto& soft = ope["policies"][0];
  CHECK(soft["estimates"][1]["value"].get<double>() == Approx(soft["truth"].get<double>()).epsilon(0.08));
  // one comparison per policy and estimator against the logging policy, with a verdict
  REQUIRE(ope["comparisons"].size() == 10);
  for (const auto& c : ope["comparisons"]) {
    CHECK(c["control"] == "logging");
    CHECK(c["p_adjusted"].get<double>() >= c["p_value"].get<double>());
    const std::string v = c["verdict"];
    CHECK((v == "better" || v == "worse" || v == "no detectable difference"));
  }
  // DR's interval of ALS's difference from the logger covers the true difference
  const auto& als_dr = ope["comparisons"][8];
  CHECK(als_dr["treatment"] == "als-epsilon-greedy");
  CHECK(als_dr["estimator"] == "dr");
  CHECK(als_dr["primary"] == true);
  CHECK(als_dr["ci_low"].get<double>() <= als_dr["true_difference"].get<double>());
  CHECK(als_dr["true_difference"].get<double>() <= als_dr["ci_high"].get<double>());

  // the primary estimator's A/B by activity segment: every round in one segment
  REQUIRE(ope["segments"].size() == 1);
  CHECK(ope["segments"][0]["profiler"] == "activity");
  double rounds = 0;
  for (const auto& c : ope["segments"][0]["comparisons"]) {
    CHECK(c["estimator"] == "dr");
    if (c["treatment"] == "als-epsilon-greedy") rounds += c["rounds"].get<double>();
    CHECK(c["ci_low"].get<double>() <= c["difference"].get<double>());
  }
  CHECK(rounds == 3000);

  std::ifstream md(outcome.run_dir / "summary.md");
  std::stringstream text;
  text << md.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("## Off-policy evaluation") &&
                             Catch::Contains("| als-epsilon-greedy |") && Catch::Contains("True value:") &&
                             Catch::Contains("By segment of activity"));
  const std::string html = RenderHtml(outcome.results);
  CHECK_THAT(html, Catch::Contains("<section id=\"ope\">") && Catch::Contains("href=\"#ope\"") &&
                       Catch::Contains("truth "));
  fs::remove_all(out);
}
