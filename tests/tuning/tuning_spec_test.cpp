// `tune = { ... }` and [tuning] in experiment files: parsed values and every
// mistake reported at file:line:column, checked against the plugin's
// declared parameters (the real als plugin).
#include <catch2/catch.hpp>
#include <string>

#include "experiment/spec.h"
#include "plugin_host/registry.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using Kind = TuneDimension::Kind;

namespace {

const PluginRegistry& Registry() {
  static PluginRegistry* registry = [] {
    auto* r = new PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    return r;
  }();
  return *registry;
}

// The arm's tune table is on line 7; [tuning] from line 8.
std::string File(const std::string& tune, const std::string& tuning = "") {
  return "[experiment]\nname = \"t\"\n[dataset]\nformat = \"synthetic\"\n[[arms]]\nname = \"als\"\n"
         "recommender = \"als\"\ntune = " +
         tune + "\n" + tuning;
}

ExperimentSpec Checked(const std::string& text) {
  ExperimentSpec spec = ParseExperimentString(text, "exp.toml");
  CheckPlugins(spec, Registry());
  return spec;
}

std::string ErrorOf(const std::string& text) {
  try {
    Checked(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("tune and [tuning] are read with their kinds, defaults and resolved form", "[tuning][experiment]") {
  // the tune key is on line 8 of File(): [experiment]=1 ... recommender=7
  const ExperimentSpec spec = Checked(File(
      "{ factors = [16, 32], regularization = { log_uniform = [0.01, 100] }, iterations = { int_uniform = "
      "[5, 20] }, alpha = { uniform = [0.5, 4] } }",
      "[tuning]\nmethod = \"random\"\ntrials = 12\nmetric = \"recall@10\"\nrefit = false\n"));
  const ArmSpec& arm = spec.arms.front();
  REQUIRE(arm.tune.size() == 4);
  CHECK(arm.tune.at("factors").kind == Kind::kChoices);
  CHECK(arm.tune.at("factors").choices.size() == 2);
  CHECK(arm.tune.at("regularization").kind == Kind::kLogUniform);
  CHECK(arm.tune.at("regularization").low == 0.01);
  CHECK(arm.tune.at("iterations").kind == Kind::kIntUniform);
  CHECK(arm.tune.at("alpha").kind == Kind::kUniform);
  CHECK(arm.tune.at("factors").key_where.ToString() == "exp.toml:8:10");
  CHECK(spec.tuning.method == "random");
  CHECK(spec.tuning.trials == 12);
  CHECK(spec.tuning.metric == "recall@10");
  CHECK_FALSE(spec.tuning.refit);
  CHECK(spec.tuning.seed == 42);  // the experiment's seed
  CHECK(spec.resolved["tuning"]["method"] == "random");
  CHECK(spec.resolved["arms"][0]["tune"]["regularization"]["log_uniform"] == nlohmann::json({0.01, 100.0}));
  // without [tuning]: TPE, 20 trials
  const ExperimentSpec plain = Checked(File("{ factors = [16, 32] }"));
  CHECK(plain.tuning.method == "tpe");
  CHECK(plain.tuning.trials == 20);
}

TEST_CASE("tune spaces are checked against the plugin's parameters where they are written",
          "[tuning][experiment]") {
  CHECK_THAT(ErrorOf(File("{ factrs = [16, 32] }")),
             Contains("exp.toml:8:10") && Contains("recommender 'als' has no parameter 'factrs'") &&
                 Contains("did you mean 'factors'"));
  CHECK_THAT(ErrorOf(File("{ factors = [16, \"many\"] }")),
             Contains("exp.toml:8:20") && Contains("parameter 'factors': expected an integer"));
  CHECK_THAT(ErrorOf(File("{ factors = [16, 5000] }")), Contains("exp.toml:8:20") && Contains("5000"));
  CHECK_THAT(ErrorOf(File("{ regularization = { uniform = [-1, 10] } }")),
             Contains("exp.toml:8:27") && Contains("reaches outside") && Contains("[0, 1e+06]"));
  CHECK_THAT(ErrorOf(File("{ factors = { uniform = [8, 64] } }")),
             Contains("exp.toml:8:20") && Contains("is an integer: use { int_uniform"));
  CHECK_THAT(ErrorOf(File("{ solver = { uniform = [0, 1] } }")),
             Contains("is a string: search it with a list of choices"));
  CHECK_THAT(ErrorOf(File("{ regularization = { log_uniforn = [0.1, 1] } }")),
             Contains("exp.toml:8:29") && Contains("unknown search space 'log_uniforn'") &&
                 Contains("did you mean 'log_uniform'"));
  CHECK_THAT(ErrorOf(File("{ regularization = { log_uniform = [0, 1] } }")), Contains("0 < lo < hi"));
  CHECK_THAT(ErrorOf(File("{ regularization = { uniform = [2, 1] } }")), Contains("lo < hi"));
  CHECK_THAT(ErrorOf(File("{ regularization = { uniform = [0.1, 1] } }", "[tuning]\nmethod = \"grid\"\n")),
             Contains("exp.toml:8:") && Contains("needs a list of choices"));
  CHECK_THAT(ErrorOf(File("{ factors = [8] }", "[tuning]\nmethod = \"halving\"\n")),
             Contains("no error"));  // als has `iterations`
  CHECK_THAT(ErrorOf(File("{ iterations = [8] }", "[tuning]\nmethod = \"halving\"\n")),
             Contains("budget parameter is set by the tuner"));
  CHECK_THAT(
      ErrorOf(File("{ factors = [8] }", "[tuning]\nmethod = \"halving\"\nbudget_parameter = \"epochs\"\n")),
      Contains("exp.toml:11:20") && Contains("no integer parameter 'epochs'"));
  CHECK_THAT(ErrorOf(File("{ factors = [8] }", "[tuning]\nmetod = \"tpe\"\n")),
             Contains("exp.toml:10:1") && Contains("did you mean 'method'"));
}

TEST_CASE("[tuning] without a tuned arm and a parameter both in a grid and tuned are errors",
          "[tuning][experiment]") {
  const std::string no_tune =
      "[experiment]\nname = \"t\"\n[dataset]\nformat = \"synthetic\"\n[[arms]]\nname = \"als\"\n"
      "recommender = \"als\"\n[tuning]\nmethod = \"tpe\"\n";
  CHECK_THAT(ErrorOf(no_tune), Contains("exp.toml:8:1") && Contains("no arm has a search space"));
  const std::string both =
      "[experiment]\nname = \"t\"\n[dataset]\nformat = \"synthetic\"\n[[arms]]\nname = \"als\"\n"
      "recommender = \"als\"\nparams = { factors = [8, 16] }\ntune = { factors = [32, 64] }\n";
  CHECK_THAT(ErrorOf(both), Contains("exp.toml:9:10") && Contains("both a grid in params and searched"));
}
