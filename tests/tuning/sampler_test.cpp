// The samplers on known objectives: the grid visits every combination, the
// random sampler stays in range and is seeded, and TPE finds better points
// than random search with the same budget.
#include "tuning/sampler.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <set>

using namespace reclift::host;
using reclift::ParamValue;
using Kind = TuneDimension::Kind;

namespace {

TuneDimension Range(Kind kind, double lo, double hi) {
  TuneDimension d;
  d.kind = kind;
  d.low = lo;
  d.high = hi;
  return d;
}

TuneDimension Choices(std::vector<ParamValue> values) {
  TuneDimension d;
  d.kind = Kind::kChoices;
  d.choices = std::move(values);
  return d;
}

// A mixed space and a smooth objective with its maximum 0 at
// lr = 10^-2.5, x = 1.3, k = 37, c = "b".
TuneSpace MixedSpace() {
  return {{"lr", Range(Kind::kLogUniform, 1e-5, 1.0)},
          {"x", Range(Kind::kUniform, -5, 5)},
          {"k", Range(Kind::kIntUniform, 1, 200)},
          {"c", Choices({std::string("a"), std::string("b"), std::string("c")})}};
}

double Objective(const TuneConfig& c) {
  const double lr = std::log10(std::get<double>(c.at("lr"))) + 2.5;
  const double x = std::get<double>(c.at("x")) - 1.3;
  const double k = (static_cast<double>(std::get<int64_t>(c.at("k"))) - 37) / 30;
  return -(lr * lr + x * x + k * k) - (std::get<std::string>(c.at("c")) == "b" ? 0.0 : 1.0);
}

double BestOf(TuneSampler& sampler, size_t budget) {
  std::vector<TuneObservation> history;
  double best = -INFINITY;
  while (history.size() < budget) {
    for (TuneConfig& c : sampler.Next(history, 1)) {
      const double v = Objective(c);
      best = std::max(best, v);
      history.push_back({std::move(c), v});
    }
  }
  return best;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
}

}  // namespace

TEST_CASE("a grid visits every combination once, the last parameter fastest", "[tuning]") {
  const TuneSpace space = {{"a", Choices({int64_t{1}, int64_t{2}})},
                           {"b", Choices({std::string("x"), std::string("y"), std::string("z")})}};
  const std::vector<TuneConfig> all = GridConfigs(space, 100);
  REQUIRE(all.size() == 6);
  CHECK(all[0].at("a") == ParamValue(int64_t{1}));
  CHECK(all[0].at("b") == ParamValue(std::string("x")));
  CHECK(all[1].at("b") == ParamValue(std::string("y")));
  CHECK(all[3].at("a") == ParamValue(int64_t{2}));
  CHECK(all[5].at("b") == ParamValue(std::string("z")));
  std::set<std::pair<int64_t, std::string>> seen;
  for (const auto& c : all) seen.insert({std::get<int64_t>(c.at("a")), std::get<std::string>(c.at("b"))});
  CHECK(seen.size() == 6);
  CHECK(GridConfigs(space, 4).size() == 4);
  CHECK_THROWS_WITH(GridConfigs({{"lr", Range(Kind::kUniform, 0, 1)}}, 10),
                    Catch::Contains("needs a list of choices"));
}

TEST_CASE("random draws stay in range, follow the scale, and repeat under a seed", "[tuning]") {
  const TuneSpace space = MixedSpace();
  auto a = MakeRandomSampler(space, 7)->Next({}, 400);
  auto b = MakeRandomSampler(space, 7)->Next({}, 400);
  auto c = MakeRandomSampler(space, 8)->Next({}, 400);
  CHECK(a == b);
  CHECK(a != c);
  std::vector<double> log_lr;
  std::set<std::string> letters;
  for (const TuneConfig& config : a) {
    const double lr = std::get<double>(config.at("lr"));
    CHECK(lr >= 1e-5);
    CHECK(lr <= 1.0);
    log_lr.push_back(std::log10(lr));
    const double x = std::get<double>(config.at("x"));
    CHECK((x >= -5 && x <= 5));
    const int64_t k = std::get<int64_t>(config.at("k"));
    CHECK((k >= 1 && k <= 200));
    letters.insert(std::get<std::string>(config.at("c")));
  }
  // log-uniform: the median exponent is near the middle (-2.5), not near 0
  CHECK(Median(log_lr) == Approx(-2.5).margin(0.4));
  CHECK(letters.size() == 3);
}

TEST_CASE("TPE beats random search in the median over seeds with the same budget", "[tuning]") {
  const TuneSpace space = MixedSpace();
  std::vector<double> tpe, random;
  for (uint64_t seed = 1; seed <= 15; ++seed) {
    auto t = MakeTpeSampler(space, seed);
    auto r = MakeRandomSampler(space, seed);
    tpe.push_back(BestOf(*t, 50));
    random.push_back(BestOf(*r, 50));
  }
  CAPTURE(Median(tpe), Median(random));
  CHECK(Median(tpe) > Median(random));
  // and clearly so: at least halfway closer to the optimum (0)
  CHECK(-Median(tpe) < 0.5 * -Median(random));
}

TEST_CASE("TPE keeps to the space and is deterministic under a seed", "[tuning]") {
  const TuneSpace space = MixedSpace();
  auto one = MakeTpeSampler(space, 3);
  auto two = MakeTpeSampler(space, 3);
  std::vector<TuneObservation> h1, h2;
  for (int i = 0; i < 30; ++i) {
    TuneConfig a = one->Next(h1, 1).front(), b = two->Next(h2, 1).front();
    REQUIRE(a == b);
    const int64_t k = std::get<int64_t>(a.at("k"));
    CHECK((k >= 1 && k <= 200));
    const double lr = std::get<double>(a.at("lr"));
    CHECK((lr >= 1e-5 && lr <= 1.0));
    h1.push_back({a, Objective(a)});
    h2.push_back({b, Objective(b)});
  }
}
