// [[scenarios]] tables: defaults, each kind's keys, and the errors a typo
// gets (whole what() text, location included).
#include <catch2/catch.hpp>
#include <string>

#include "experiment/spec.h"

using namespace reclift::host;

namespace {

constexpr const char* kHead = R"(
[experiment]
name = "t"
seed = 7

[dataset]
format = "synthetic"

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "als"
recommender = "als"
params = { factors = [8, 16] }

[evaluation]
k = [10, 20]
metrics = ["ndcg", "recall"]

[ab]
primary_metric = "recall@20"
)";

ExperimentSpec Parse(const std::string& scenarios) {
  return ParseExperimentString(std::string(kHead) + scenarios, "exp.toml");
}

// The line of the head's last line + n: scenario tables start after it.
int Line(int n) {
  int lines = 0;
  for (const char* p = kHead; *p; ++p) lines += *p == '\n' ? 1 : 0;
  return lines + n;
}

std::string At(int line, int column) {
  return "exp.toml:" + std::to_string(line) + ":" + std::to_string(column) + ": ";
}

}  // namespace

TEST_CASE("a file without scenarios has none, and the resolved configuration says so", "[scenarios][spec]") {
  const ExperimentSpec spec = Parse("");
  CHECK(spec.scenarios.empty());
  CHECK(spec.resolved["scenarios"] == nlohmann::json::array());
}

TEST_CASE("scenario defaults follow the issue: 10% held out, shots 0 to 10, both modes, the primary metric",
          "[scenarios][spec]") {
  const ExperimentSpec spec = Parse(R"(
[[scenarios]]
kind = "cold-start-users"

[[scenarios]]
kind = "cold-start-items"

[[scenarios]]
kind = "diversity"
)");
  REQUIRE(spec.scenarios.size() == 3);
  const ScenarioSpec& users = spec.scenarios[0];
  CHECK(users.kind == "cold-start-users");
  CHECK(users.user_fraction == 0.1);
  CHECK(users.shots == std::vector<int>{0, 1, 3, 5, 10});
  CHECK(users.mode == "both");
  CHECK(users.metric == "recall@20");  // [ab] primary_metric
  CHECK(users.seed == 7);              // experiment.seed
  CHECK(users.arms.empty());
  CHECK(spec.scenarios[1].item_fraction == 0.1);
  const ScenarioSpec& diversity = spec.scenarios[2];
  CHECK(diversity.reranker == "mmr");
  CHECK(diversity.similarity == "features");
  CHECK(diversity.lambdas == std::vector<double>{0.0, 0.3, 0.6, 0.9});
  CHECK(diversity.candidates == 100);
  CHECK(diversity.metrics.empty());
  // the resolved configuration lists each kind's own keys only
  const auto& resolved = spec.resolved["scenarios"];
  REQUIRE(resolved.size() == 3);
  CHECK(resolved[0]["shots"] == nlohmann::json({0, 1, 3, 5, 10}));
  CHECK(resolved[0]["metric"] == "recall@20");
  CHECK_FALSE(resolved[0].contains("lambda"));
  CHECK(resolved[1] == nlohmann::json({{"kind", "cold-start-items"},
                                       {"arms", nlohmann::json::array()},
                                       {"seed", 7},
                                       {"item_fraction", 0.1}}));
  CHECK(resolved[2]["similarity"] == "features");
}

TEST_CASE("shots and lambdas are sorted, and a grid name stands for all its arms", "[scenarios][spec]") {
  const ExperimentSpec spec = Parse(R"(
[[scenarios]]
kind = "cold-start-users"
shots = [5, 0, 2]
mode = "fold-in"
metric = "ndcg@10"
arms = ["als", "pop"]
seed = 3

[[scenarios]]
kind = "diversity"
reranker = "calibration"
lambda = [0.9, 0.1]
candidates = 20
metrics = ["ndcg@10", "miscalibration@10"]
)");
  const ScenarioSpec& users = spec.scenarios[0];
  CHECK(users.shots == std::vector<int>{0, 2, 5});
  CHECK(users.mode == "fold-in");
  CHECK_FALSE(users.has_mode("retrain"));
  CHECK(users.has_mode("fold-in"));
  CHECK(users.metric == "ndcg@10");
  CHECK(users.seed == 3);
  // in the experiment's arm order, the grid expanded
  CHECK(users.arms == std::vector<std::string>{"pop", "als[factors=8]", "als[factors=16]"});
  CHECK(spec.scenarios[1].lambdas == std::vector<double>{0.1, 0.9});
  CHECK(spec.scenarios[1].metrics == std::vector<std::string>{"ndcg@10", "miscalibration@10"});
}

TEST_CASE("scenario mistakes are errors at the value, saying what was expected", "[scenarios][spec]") {
  SECTION("a missing kind lists the kinds") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nshots = [1]\n"),
                      At(Line(2), 1) +
                          "missing required key 'kind' in [[scenarios]] (one of cold-start-users, "
                          "cold-start-items, diversity)");
  }
  SECTION("an unknown kind suggests the closest") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"cold-start-user\"\n"),
                      At(Line(3), 8) +
                          "scenarios.kind: expected one of cold-start-users, cold-start-items, diversity, "
                          "found \"cold-start-user\" (did you mean 'cold-start-users'?)");
  }
  SECTION("a key of another kind names the kind that takes it") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"diversity\"\nshots = [1, 2]\n"),
                      At(Line(4), 9) +
                          "scenarios.shots: only used with kind = \"cold-start-users\", not "
                          "\"diversity\"");
  }
  SECTION("an unknown key gets a hint") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"cold-start-items\"\nitem_fractoin = 0.2\n"),
                      At(Line(4), 1) +
                          "unknown key 'item_fractoin' in [[scenarios]] (did you mean "
                          "'item_fraction'?)");
  }
  SECTION("a shot count listed twice") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"cold-start-users\"\nshots = [1, 3, 1]\n"),
                      At(Line(4), 16) + "scenarios.shots: 1 is listed twice");
  }
  SECTION("a fraction of 1 would hold out everyone") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"cold-start-users\"\nuser_fraction = 1\n"),
                      At(Line(4), 17) + "scenarios.user_fraction: expected a number in (0, 1), found 1");
  }
  SECTION("a lambda outside [0, 1]") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"diversity\"\nlambda = [0.5, 1.5]\n"),
                      At(Line(4), 16) + "scenarios.lambda: expected a number in [0, 1], found 1.5");
  }
  SECTION("fewer candidates than the longest list") {
    CHECK_THROWS_WITH(
        Parse("\n[[scenarios]]\nkind = \"diversity\"\ncandidates = 15\n"),
        At(Line(4), 14) +
            "scenarios.candidates: expected at least 20 (the largest evaluation.k: the re-ranker "
            "fills lists that long), found 15");
  }
  SECTION("a similarity with calibration") {
    CHECK_THROWS_WITH(
        Parse(
            "\n[[scenarios]]\nkind = \"diversity\"\nreranker = \"calibration\"\nsimilarity = \"features\"\n"),
        At(Line(5), 14) +
            "scenarios.similarity: only used with reranker = \"mmr\" (calibration compares category "
            "distributions, not item pairs)");
  }
  SECTION("an unknown arm") {
    CHECK_THROWS_WITH(Parse("\n[[scenarios]]\nkind = \"cold-start-items\"\narms = [\"alz\"]\n"),
                      At(Line(4), 9) + "scenarios.arms: no arm named 'alz' (did you mean 'als'?)");
  }
  SECTION("one cold-start-users table is enough") {
    CHECK_THROWS_WITH(
        Parse("\n[[scenarios]]\nkind = \"cold-start-users\"\n\n[[scenarios]]\nkind = \"cold-start-users\"\n"),
        At(Line(6), 8) + "[[scenarios]]: kind = \"cold-start-users\" is declared twice (first at line " +
            std::to_string(Line(2)) + "); list all its values in one table");
  }
  SECTION("two diversity tables may differ, not repeat") {
    CHECK_NOTHROW(
        Parse("\n[[scenarios]]\nkind = \"diversity\"\n\n[[scenarios]]\nkind = \"diversity\"\nsimilarity = "
              "\"cooccurrence\"\n"));
    CHECK_THROWS_WITH(
        Parse(
            "\n[[scenarios]]\nkind = \"diversity\"\n\n[[scenarios]]\nkind = \"diversity\"\nlambda = [0.5]\n"),
        At(Line(6), 8) +
            "[[scenarios]]: a diversity scenario with reranker = \"mmr\" and similarity = \"features\" is "
            "declared twice (first at line " +
            std::to_string(Line(2)) + "); list all its values in one table");
  }
}
