#include <catch2/catch.hpp>
#include <string>

#include "experiment/spec.h"

namespace {

using namespace reclift::host;
using Catch::Contains;

const std::string kBase = R"(
[experiment]
name = "t"
[dataset]
format = "synthetic"
preset = "tiny"
[[arms]]
name = "popularity"
recommender = "popularity"
[[arms]]
name = "als"
recommender = "als"
)";

ExperimentSpec Parse(const std::string& extra) {
  return ParseExperimentString(kBase + extra, "ope.toml");
}

}  // namespace

TEST_CASE("[logged] and [ope] read with their defaults", "[ope][spec]") {
  const ExperimentSpec spec = Parse("[logged]\nformat = \"synthetic\"\nrounds = 500\n[ope]\n");
  CHECK(spec.logged.present);
  CHECK(spec.logged.rounds == 500);
  CHECK(spec.logged.slate_size == 3);
  CHECK(spec.logged.seed == 42);           // the experiment's
  REQUIRE(spec.ope.policies.size() == 2);  // every arm, top-k
  CHECK(spec.ope.policies[1].name == "als");
  CHECK(spec.ope.policies[1].policy == "top-k");
  CHECK(spec.ope.estimators.size() == 6);
  CHECK(spec.ope.primary_estimator == "dr");
  CHECK(spec.ope.control == "logging");
  CHECK(spec.resolved["ope"]["primary_estimator"] == "dr");
  CHECK(spec.resolved["logged"]["rounds"] == 500);
}

TEST_CASE("target policies name their arm and shape", "[ope][spec]") {
  const ExperimentSpec spec = Parse(R"(
[logged]
format = "synthetic"
[ope]
estimators = ["ips", { plugin = "clipped_ips", params = { max_weight = 5 } }]
control = "als"
[[ope.policies]]
arm = "als"
[[ope.policies]]
arm = "popularity"
policy = "softmax"
temperature = 0.5
)");
  REQUIRE(spec.ope.policies.size() == 2);
  CHECK(spec.ope.policies[1].name == "popularity-softmax");
  CHECK(spec.ope.policies[1].temperature == 0.5);
  CHECK(spec.ope.primary_estimator == "ips");
  CHECK(spec.ope.control == "als");
}

TEST_CASE("mistakes in [logged] and [ope] are errors at their place", "[ope][spec]") {
  SECTION("[ope] without [logged]") {
    CHECK_THROWS_WITH(Parse("[ope]\n"),
                      Contains("ope.toml:13:1") && Contains("[ope] needs a [logged] table"));
  }
  SECTION("an unknown arm") {
    CHECK_THROWS_WITH(Parse("[logged]\nformat = \"synthetic\"\n[ope]\n[[ope.policies]]\narm = \"alss\"\n"),
                      Contains("ope.toml:17:7") && Contains("no arm named 'alss' (did you mean 'als'?)"));
  }
  SECTION("a temperature on a top-k policy") {
    CHECK_THROWS_WITH(
        Parse("[logged]\nformat = \"synthetic\"\n[ope]\n[[ope.policies]]\narm = \"als\"\ntemperature = 2\n"),
        Contains("ope.toml:18:") && Contains("only for policy = \"softmax\""));
  }
  SECTION("a primary estimator that is not listed") {
    CHECK_THROWS_WITH(
        Parse(
            "[logged]\nformat = \"synthetic\"\n[ope]\nestimators = [\"ips\"]\nprimary_estimator = \"dr\"\n"),
        Contains("ope.toml:17:21") && Contains("'dr' is not in ope.estimators"));
  }
  SECTION("a csv log without a file") {
    CHECK_THROWS_WITH(Parse("[logged]\nformat = \"csv\"\n[ope]\n"), Contains("missing required key 'file'"));
  }
  SECTION("a simulator key on a csv log") {
    CHECK_THROWS_WITH(Parse("[logged]\nfile = \"x.csv\"\nrounds = 3\n[ope]\n"),
                      Contains("ope.toml:15:10") && Contains("logged.rounds: only for format \"synthetic\""));
  }
  SECTION("an oracle reward model without truth") {
    CHECK_THROWS_WITH(Parse("[logged]\nfile = \"x.csv\"\n[ope]\nreward_model = \"oracle\"\n"),
                      Contains("\"oracle\" needs logs with known truth"));
  }
  SECTION("a reward model from an arm that names none, or an unknown one") {
    CHECK_THROWS_WITH(Parse("[logged]\nformat = \"synthetic\"\n[ope]\nreward_model = \"arm\"\n"),
                      Contains("ope.toml:16") && Contains("needs reward_model_arm"));
    CHECK_THROWS_WITH(
        Parse("[logged]\nformat = \"synthetic\"\n[ope]\nreward_model = \"arm\"\nreward_model_arm = \"al\"\n"),
        Contains("ope.toml:17:20") && Contains("no arm named 'al' (did you mean 'als'?)"));
  }
  SECTION("a slate longer than the shelf") {
    CHECK_THROWS_WITH(Parse("[logged]\nformat = \"synthetic\"\nactions = 2\nslate_size = 3\n[ope]\n"),
                      Contains("ope.toml:16:14") && Contains("3 positions need at least as many actions"));
  }
}
