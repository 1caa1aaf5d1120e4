// The [split] keys of experiment files for k-fold, validation and the
// leakage policy: parsed values, defaults, resolved config and errors at
// file:line:column.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "experiment/spec.h"

using namespace reclift::host;

namespace {
// Lines 1-7; tests append [split] at line 8, its keys from line 9 on.
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

std::string ParseError(const std::string& text, const std::vector<Override>& overrides = {}) {
  try {
    Parse(text, overrides);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("[split] reads folds, fold, validation_fraction and leakage", "[split][experiment]") {
  const ExperimentSpec spec = Parse(kHead + R"([split]
method = "kfold"
folds = 10
fold = 3
validation_fraction = 0.1
leakage = "error"
)");
  const SplitSpec& s = spec.split;
  CHECK(s.method == "kfold");
  CHECK(s.folds == 10);
  CHECK(s.fold == 3);
  CHECK(s.single_fold);
  CHECK(s.validation_fraction == 0.1);
  CHECK(s.leakage == "error");
  CHECK(s.where.at("fold").ToString() == "exp.toml:11:8");
  CHECK(s.where.at("leakage").ToString() == "exp.toml:13:11");
  CHECK(FoldsToRun(s) == std::vector<int>{3});
  const nlohmann::json& r = spec.resolved["split"];
  CHECK(r["folds"] == 10);
  CHECK(r["fold"] == 3);
  CHECK(r["validation_fraction"] == 0.1);
  CHECK(r["leakage"] == "error");
}

TEST_CASE("without those keys: 5 folds, all of them run, no validation, leakage warns",
          "[split][experiment]") {
  const ExperimentSpec spec = Parse(kHead + "[split]\nmethod = \"kfold\"\n");
  const SplitSpec& s = spec.split;
  CHECK(s.folds == 5);
  CHECK_FALSE(s.single_fold);
  CHECK(FoldsToRun(s) == std::vector<int>{0, 1, 2, 3, 4});
  CHECK(s.validation_fraction == 0);
  CHECK(s.leakage == "warn");
  CHECK(spec.resolved["split"]["fold"].is_null());  // every fold
  CHECK(Parse(kHead).split.method == "random");
  CHECK(Parse(kHead + "[split]\nmethod = \"leave-one-out\"\n").split.method == "leave-one-out");
}

TEST_CASE("bad [split] values are errors at file:line:column saying what was expected",
          "[split][experiment]") {
  auto [lines, expected] = GENERATE(table<std::string, std::string>({
      {"folds = 1", "exp.toml:9:9: split.folds: expected an integer >= 2, found 1"},
      {"folds = 2.5", "exp.toml:9:9: split.folds: expected an integer >= 2, found 2.5"},
      {"fold = -1", "exp.toml:9:8: split.fold: expected a non-negative integer, found -1"},
      // fold is checked against folds wherever folds is written
      {"fold = 3\nfolds = 3",
       "exp.toml:9:8: split.fold: expected a fold index in [0, 2] (0-based, below folds = 3), found 3"},
      {"fold = 5",
       "exp.toml:9:8: split.fold: expected a fold index in [0, 4] (0-based, below folds = 5), found 5"},
      {"validation_fraction = 1",
       "exp.toml:9:23: split.validation_fraction: expected a number in [0, 1) (0 = no validation split), "
       "found 1"},
      {"validation_fraction = -0.1",
       "exp.toml:9:23: split.validation_fraction: expected a number in [0, 1) (0 = no validation split), "
       "found "
       "-0.1"},
      {"leakage = \"eror\"",
       "exp.toml:9:11: split.leakage: expected one of warn, error, found \"eror\" (did you mean 'error'?)"},
      {"method = \"kfld\"",
       "exp.toml:9:10: split.method: expected one of random, kfold, temporal, leave-last, leave-one-out, files, "
       "found "
       "\"kfld\" (did you mean 'kfold'?)"},
      {"zeta = 5",
       "exp.toml:9:1: unknown key 'zeta' in [split] (known keys: method, test_fraction, leave_last, folds, "
       "fold, "
       "validation_fraction, min_user_interactions, seed, leakage, train, test, validation)"},
      {"validation_fracton = 0.1",
       "exp.toml:9:1: unknown key 'validation_fracton' in [split] (did you mean 'validation_fraction'?)"},
  }));
  INFO(lines);
  CHECK(ParseError(kHead + "[split]\n" + lines + "\n") == expected);
}

TEST_CASE("the new [split] keys can be set from the command line", "[split][experiment]") {
  const ExperimentSpec spec =
      Parse(kHead, {{"split.method", "kfold"}, {"split.fold", "1"}, {"split.validation_fraction", "0.2"}});
  CHECK(spec.split.method == "kfold");
  CHECK(spec.split.fold == 1);
  CHECK(spec.split.single_fold);
  CHECK(spec.split.validation_fraction == 0.2);
  CHECK(ParseError(kHead, {{"split.fold", "7"}}) ==
        "--set: split.fold: expected a fold index in [0, 4] (0-based, below folds = 5), found 7");
}
