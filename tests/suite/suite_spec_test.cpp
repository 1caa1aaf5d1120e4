// Suite files: members from [[datasets]] x shared tables and from experiment
// files; every mistake in the suite file points at suite.toml:line:column.
#include "suite/suite_spec.h"

#include <catch2/catch.hpp>

#include "e2e/cli_support.h"
#include "util/error.h"

using namespace reclift::host;
using namespace reclift::host::suite;
using namespace reclift::testing;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
namespace fs = std::filesystem;

namespace {

const std::string kMatrix = R"([suite]
name = "s"
primary_metric = "ndcg@10"

[experiment]
seed = 3

[split]
method = "random"
test_fraction = 0.2

[[datasets]]
name = "one"
dataset = { format = "synthetic", preset = "tiny", seed = 1 }

[[datasets]]
name = "two"
dataset = { format = "synthetic", preset = "tiny", seed = 2 }
split = { test_fraction = 0.3 }

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "rnd"
recommender = "random"

[ab]
control = "pop"
)";

// The error message of parsing `text` as suite.toml (empty when it parses).
std::string ErrorOf(const std::string& text) {
  try {
    ParseSuiteString(text, "suite.toml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_CASE("a suite crosses every [[datasets]] entry with the shared tables", "[suite]") {
  const SuiteSpec s = ParseSuiteString(kMatrix, "suite.toml");
  CHECK(s.name == "s");
  CHECK(s.primary_metric == "ndcg@10");
  CHECK(s.file_hash.size() == 16);
  REQUIRE(s.members.size() == 2);
  const ExperimentSpec& one = *s.members[0].spec;
  const ExperimentSpec& two = *s.members[1].spec;
  CHECK(s.members[0].label == "one");
  CHECK(one.name == "s-one");
  CHECK(one.seed == 3);
  CHECK(one.dataset.format == "synthetic");
  CHECK(one.split.test_fraction == Approx(0.2));
  CHECK(two.split.test_fraction == Approx(0.3));  // the entry's split on top of the shared one
  CHECK(two.split.method == "random");
  REQUIRE(two.arms.size() == 2);
  CHECK(two.arms[1].name == "rnd");
  CHECK(two.ab.control == "pop");
}

TEST_CASE("overrides of --set apply to every member", "[suite]") {
  const SuiteSpec s = ParseSuiteString(kMatrix, "suite.toml", {ParseOverride("split.test_fraction=0.4")});
  for (const auto& m : s.members) CHECK(m.spec->split.test_fraction == Approx(0.4));
}

TEST_CASE("mistakes inside a member point into the suite file", "[suite]") {
  // line 18 is the second entry's dataset table
  CHECK_THAT(
      ErrorOf(Replace(kMatrix, "preset = \"tiny\", seed = 2", "preset = \"tiny\", sed = 2")),
      StartsWith("suite.toml:18:") && Contains("unknown key 'sed'") && Contains("did you mean 'seed'"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "test_fraction = 0.3", "test_fraction = 1.3")),
             StartsWith("suite.toml:19:27") && Contains("expected a number in (0, 1), found 1.3"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "test_fraction = 0.2", "test_fraction = \"x\"")),
             StartsWith("suite.toml:10:17") && Contains("split.test_fraction"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "control = \"pop\"", "control = \"popp\"")),
             StartsWith("suite.toml:30:") && Contains("popp"));
}

TEST_CASE("mistakes in the suite's own tables have their place", "[suite]") {
  CHECK_THAT(ErrorOf(Replace(kMatrix, "name = \"two\"", "nme = \"two\"")),
             StartsWith("suite.toml:17:1") && Contains("unknown key 'nme' in [[datasets]]") &&
                 Contains("did you mean 'name'"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "[split]", "[splt]")), StartsWith("suite.toml:8:") &&
                                                                 Contains("unknown table 'splt'") &&
                                                                 Contains("did you mean 'split'"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "primary_metric = \"ndcg@10\"", "primary_metric = 10")),
             StartsWith("suite.toml:3:18") &&
                 Contains("suite.primary_metric: expected a non-empty string, found 10"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "name = \"two\"", "name = \"one\"")),
             StartsWith("suite.toml:17:8") && Contains("two members of the suite are named 'one'"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "seed = 3", "name = \"x\"")),
             StartsWith("suite.toml:6:8") && Contains("experiment.name: not allowed in a suite file"));
  CHECK_THAT(ErrorOf(Replace(kMatrix, "name = \"s\"", "name = \"a/b\"")),
             StartsWith("suite.toml:2:8") && Contains("usable as a folder name"));
  CHECK_THAT(ErrorOf("[suite]\nname = \"s\"\n"), StartsWith("suite.toml:1:1") && Contains("no members"));
  CHECK_THAT(ErrorOf("[experiment]\nseed = 1\n"),
             StartsWith("suite.toml") && Contains("missing required table [suite]"));
  CHECK_THAT(
      ErrorOf("[suite]\nname = \"s\"\nexperiments = []\n[[arms]]\nname = \"a\"\nrecommender = \"random\"\n"),
      StartsWith("suite.toml:4:") && Contains("no [[datasets]]"));
  CHECK_THAT(ErrorOf("[suite\nname = 1"), StartsWith("suite.toml:1:"));
  // the suite's primary metric must be a column of every member
  CHECK_THAT(
      ErrorOf(Replace(kMatrix, "primary_metric = \"ndcg@10\"", "primary_metric = \"ndcg@5\"")),
      StartsWith("suite.toml:3:18") && Contains("k = 5, which is not among evaluation.k (10) of member one"));
  const std::string with_metrics = kMatrix + "\n[evaluation]\nmetrics = [\"ndcg\", \"recall\"]\n";
  CHECK(ErrorOf(with_metrics).empty());
  CHECK_THAT(ErrorOf(Replace(with_metrics, "primary_metric = \"ndcg@10\"", "primary_metric = \"ndgc@10\"")),
             StartsWith("suite.toml:3:18") &&
                 Contains("metric 'ndgc' is not in evaluation.metrics of member one") &&
                 Contains("did you mean 'ndcg'"));
}

TEST_CASE("an experiment file that cannot be parsed is a failed member, not a failed suite", "[suite]") {
  const fs::path dir = FreshDir("suite-spec-files");
  WriteText(dir / "good.toml", R"([experiment]
name = "good"
[dataset]
format = "synthetic"
preset = "tiny"
[[arms]]
name = "pop"
recommender = "popularity"
)");
  WriteText(dir / "bad.toml", "[experiment]\nname = \"bad\"\n[dataset]\nformat = \"sythetic\"\n");
  WriteText(dir / "suite.toml",
            "[suite]\nname = \"files\"\nexperiments = [\"good.toml\", \"bad.toml\", \"gone.toml\"]\n");
  const SuiteSpec s = ParseSuiteFile(dir / "suite.toml");
  REQUIRE(s.members.size() == 3);
  CHECK(s.members[0].name == "good");
  CHECK(s.members[0].spec.has_value());
  CHECK(s.members[0].error.empty());
  CHECK_FALSE(s.members[1].spec.has_value());
  CHECK_THAT(s.members[1].error, Contains("bad.toml:4:10") && Contains("did you mean 'synthetic'"));
  CHECK_THAT(s.members[2].error, Contains("gone.toml") && Contains("not found"));
  CHECK(s.output == fs::path("reports") / "files");
  CHECK(IsSuiteFile(dir / "suite.toml"));
  CHECK_FALSE(IsSuiteFile(dir / "good.toml"));
}
