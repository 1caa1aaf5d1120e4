// The samplers' own cost and search quality, apart from any fit: the time
// TPE takes to suggest one configuration as the history grows (a 6-parameter
// mixed space), and the median best value TPE and random search reach on a
// known objective (maximum 0) with the same budget, over seeds.
//
//   tuning_bench [--seeds 30]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "tuning/sampler.h"

using namespace reclift::host;
using reclift::ParamValue;
using reclift::bench::Clock;
using reclift::bench::Seconds;
using Kind = TuneDimension::Kind;

namespace {

TuneDimension Range(Kind kind, double lo, double hi) {
  TuneDimension d;
  d.kind = kind;
  d.low = lo;
  d.high = hi;
  return d;
}

TuneSpace Space() {
  TuneDimension letters;
  letters.choices = {std::string("a"), std::string("b"), std::string("c"), std::string("d")};
  return {{"lr", Range(Kind::kLogUniform, 1e-5, 1.0)}, {"reg", Range(Kind::kLogUniform, 1e-3, 1e3)},
          {"x", Range(Kind::kUniform, -5, 5)},         {"y", Range(Kind::kUniform, 0, 1)},
          {"k", Range(Kind::kIntUniform, 1, 500)},     {"c", letters}};
}

double Objective(const TuneConfig& c) {
  const double lr = std::log10(std::get<double>(c.at("lr"))) + 2.5;
  const double reg = (std::log10(std::get<double>(c.at("reg"))) - 1.0) / 2;
  const double x = std::get<double>(c.at("x")) - 1.3;
  const double y = (std::get<double>(c.at("y")) - 0.8) * 3;
  const double k = (static_cast<double>(std::get<int64_t>(c.at("k"))) - 120) / 80;
  return -(lr * lr + reg * reg + x * x + y * y + k * k) -
         (std::get<std::string>(c.at("c")) == "b" ? 0.0 : 1.0);
}

double Best(TuneSampler& s, size_t budget) {
  std::vector<TuneObservation> h;
  double best = -INFINITY;
  while (h.size() < budget) {
    TuneConfig c = s.Next(h, 1).front();
    const double v = Objective(c);
    best = std::max(best, v);
    h.push_back({std::move(c), v});
  }
  return best;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int seeds = 30;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--seeds")) seeds = std::stoi(argv[a + 1]);
  }
  const TuneSpace space = Space();
  // suggestion time against history size
  for (size_t n : {10, 50, 100, 200, 500}) {
    auto s = MakeTpeSampler(space, 1);
    auto r = MakeRandomSampler(space, 2);
    std::vector<TuneObservation> h;
    for (TuneConfig& c : r->Next({}, n)) h.push_back({c, Objective(c)});
    const auto t0 = Clock::now();
    const int reps = 20;
    for (int i = 0; i < reps; ++i) s->Next(h, 1);
    std::printf("tpe suggestion with %zu finished trials: %.3f ms\n", n, Seconds(t0) * 1e3 / reps);
  }
  // search quality with the same budget
  for (size_t budget : {20, 50, 100}) {
    std::vector<double> tpe, random;
    for (int seed = 1; seed <= seeds; ++seed) {
      auto t = MakeTpeSampler(space, static_cast<uint64_t>(seed));
      auto r = MakeRandomSampler(space, static_cast<uint64_t>(seed));
      tpe.push_back(Best(*t, budget));
      random.push_back(Best(*r, budget));
    }
    std::printf("budget %3zu, median best over %d seeds (optimum 0): tpe %.3f, random %.3f\n", budget, seeds,
                Median(tpe), Median(random));
  }
  return 0;
}
