// The search of one arm through a fake TrialRunner: the best trial wins in
// the metric's direction, a failing trial fails only itself, successive
// halving grows the budget and shrinks the field, and requests are
// self-describing JSON.
#include "tuning/tuner.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace reclift::host;
using reclift::ParamValue;
using Kind = TuneDimension::Kind;

namespace {

ArmSpec Arm(TuneSpace space) {
  ArmSpec arm;
  arm.name = "als";
  arm.recommender.plugin = "als";
  arm.recommender.params["solver"] = std::string("cg");
  arm.tune = std::move(space);
  return arm;
}

TuneDimension Choices(std::vector<ParamValue> values) {
  TuneDimension d;
  d.choices = std::move(values);
  return d;
}

TuneDimension Uniform(double lo, double hi) {
  TuneDimension d;
  d.kind = Kind::kUniform;
  d.low = lo;
  d.high = hi;
  return d;
}

// value = -(x - 3)^2 over the request's params; x = 5 fails
struct FakeRunner {
  std::vector<std::vector<TrialRequest>> batches;
  std::vector<TrialOutcome> operator()(const std::vector<TrialRequest>& requests) {
    batches.push_back(requests);
    std::vector<TrialOutcome> out;
    for (const TrialRequest& r : requests) {
      TrialOutcome o;
      const double x = r.params.at("x").get<double>();
      if (x == 5) {
        o.error = "fit refused";
      } else {
        o.ok = true;
        o.value = -(x - 3) * (x - 3) + (r.budget > 0 ? 0.01 * static_cast<double>(r.budget) : 0.0);
      }
      out.push_back(o);
    }
    return out;
  }
};

}  // namespace

TEST_CASE("a grid search keeps the best trial and goes on past a failing one", "[tuning]") {
  const ArmSpec arm = Arm({{"x", Choices({1.0, 2.5, 5.0, 4.0})}});
  TuningSpec tuning;
  tuning.method = "grid";
  tuning.trials = 10;
  SearchSettings settings;
  settings.metric = "ndcg@10";
  FakeRunner fake;
  const TrialRunner run = std::ref(fake);
  const ArmSearch s = SearchArm(arm, tuning, settings, run);
  REQUIRE(s.trials.size() == 4);
  CHECK(fake.batches.size() == 1);  // one batch: the runner may run them all at once
  CHECK(s.failed == 1);
  CHECK_FALSE(s.trials[2].outcome.ok);
  CHECK(s.trials[2].outcome.error == "fit refused");
  REQUIRE(s.best);
  CHECK(*s.best == 1);  // x = 2.5: -0.25
  CHECK(s.best_value == Approx(-0.25));
  CHECK(s.best_config.at("x") == ParamValue(2.5));
  // the request carries the arm's own params with the trial's value
  const TrialRequest& r = s.trials[1].request;
  CHECK(r.params.at("solver") == "cg");
  CHECK(r.params.at("x") == 2.5);
  CHECK(r.metric == "ndcg@10");
  CHECK(r.data == "validation");
}

TEST_CASE("a lower-is-better metric picks the smallest validation value", "[tuning]") {
  const ArmSpec arm = Arm({{"x", Choices({1.0, 2.5, 4.0})}});
  TuningSpec tuning;
  tuning.method = "grid";
  SearchSettings settings;
  settings.higher_is_better = false;  // e.g. rmse
  FakeRunner fake;
  const ArmSearch s = SearchArm(arm, tuning, settings, std::ref(fake));
  REQUIRE(s.best);
  CHECK(s.best_config.at("x") == ParamValue(1.0));  // -4, the lowest
}

TEST_CASE("random and TPE searches run the budget and find the optimum region", "[tuning]") {
  const ArmSpec arm = Arm({{"x", Uniform(0, 10)}});
  for (const char* method : {"random", "tpe"}) {
    CAPTURE(method);
    TuningSpec tuning;
    tuning.method = method;
    tuning.trials = 30;
    tuning.seed = 11;
    FakeRunner fake;
    const ArmSearch s = SearchArm(arm, tuning, SearchSettings{}, std::ref(fake));
    CHECK(s.trials.size() == 30);
    REQUIRE(s.best);
    CHECK(std::get<double>(s.best_config.at("x")) == Approx(3).margin(0.6));
    if (std::string(method) == "tpe") CHECK(fake.batches.size() == 21);  // 10 at random, then one by one
  }
}

TEST_CASE("successive halving grows the budget by eta and keeps the best third", "[tuning]") {
  const ArmSpec arm = Arm({{"x", Uniform(0, 10)}});
  TuningSpec tuning;
  tuning.method = "halving";
  tuning.trials = 9;
  tuning.eta = 3;
  SearchSettings settings;
  settings.budget_parameter = "epochs";
  settings.max_budget = 27;
  FakeRunner fake;
  const ArmSearch s = SearchArm(arm, tuning, settings, std::ref(fake));
  REQUIRE(fake.batches.size() == 3);
  CHECK(fake.batches[0].size() == 9);
  CHECK(fake.batches[1].size() == 3);
  CHECK(fake.batches[2].size() == 1);
  CHECK(fake.batches[0][0].budget == 3);
  CHECK(fake.batches[1][0].budget == 9);
  CHECK(fake.batches[2][0].budget == 27);
  CHECK(fake.batches[2][0].params.at("epochs") == 27);
  // the survivors are the best of their rung
  double best_first = -INFINITY;
  for (size_t i = 0; i < 9; ++i) best_first = std::max(best_first, s.trials[i].outcome.value);
  CHECK(s.trials[9].outcome.value == Approx(best_first + 0.06));  // the same x at budget 9, not 3
  REQUIRE(s.best);
  CHECK(*s.best == 12);  // only the full budget competes
  CHECK(s.trials[12].rung == 2);
}

TEST_CASE("trial requests and outcomes round-trip through JSON", "[tuning]") {
  TrialRequest r;
  r.arm = "als";
  r.trial = 7;
  r.params = {{"factors", 64}, {"regularization", 0.01}};
  r.budget_parameter = "epochs";
  r.budget = 9;
  r.metric = "ndcg@10";
  r.fold = 2;
  r.seed = 43;
  const TrialRequest back = TrialRequestFromJson(nlohmann::json::parse(ToJson(r).dump()));
  CHECK(ToJson(back) == ToJson(r));
  TrialOutcome o;
  o.error = "boom";
  const TrialOutcome o2 = TrialOutcomeFromJson(ToJson(o));
  CHECK_FALSE(o2.ok);
  CHECK(o2.error == "boom");
  CHECK(std::isnan(o2.value));
}

TEST_CASE("the arm's own configuration is tried first when it lies in the space", "[tuning]") {
  const reclift::ParamSpec specs[] = {{"x", reclift::ParamType::kFloat, "3.0", 0, 10, nullptr, ""},
                                      {"solver", reclift::ParamType::kString, "cg", 0, 0, "cg|cholesky", ""}};
  ArmSpec arm = Arm({{"x", Uniform(0, 10)}});
  const auto own = OwnConfig(arm, specs);
  REQUIRE(own);
  CHECK(own->at("x") == ParamValue(3.0));  // the plugin's default
  arm.recommender.params["x"] = 12.0;      // the arm's own value, outside the space
  CHECK_FALSE(OwnConfig(arm, specs));
  arm.recommender.params.erase("x");

  for (const char* method : {"random", "tpe", "halving"}) {
    CAPTURE(method);
    TuningSpec tuning;
    tuning.method = method;
    tuning.trials = 9;
    SearchSettings settings;
    settings.first = own;
    settings.budget_parameter = "epochs";
    settings.max_budget = 9;
    FakeRunner fake;
    const ArmSearch s = SearchArm(arm, tuning, settings, std::ref(fake));
    CHECK(s.trials.front().config.at("x") == ParamValue(3.0));
    REQUIRE(s.best);
    CHECK(std::get<double>(s.best_config.at("x")) == Approx(3.0));  // the optimum of the fake objective
  }
}
