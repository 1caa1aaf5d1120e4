#include "ope/policy.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

#include "util/error.h"

namespace {

using namespace reclift::host;

// Every ordered K-prefix of A actions with its Plackett-Luce probability, by
// brute force.
std::vector<double> BruteForceMarginals(const std::vector<double>& p, uint32_t K) {
  const size_t A = p.size();
  std::vector<double> out(A * K, 0.0);
  std::vector<uint32_t> perm(A);
  std::iota(perm.begin(), perm.end(), 0u);
  // every permutation's first K; each prefix is counted (A-K)! times
  double repeats = 1;
  for (size_t j = 2; j <= A - K; ++j) repeats *= static_cast<double>(j);
  do {
    double prob = 1, mass = 1;
    for (uint32_t k = 0; k < K; ++k) {
      prob *= p[perm[k]] / mass;
      mass -= p[perm[k]];
    }
    for (uint32_t k = 0; k < K; ++k) out[perm[k] * K + k] += prob / repeats;
  } while (std::next_permutation(perm.begin(), perm.end()));
  return out;
}

}  // namespace

TEST_CASE("epsilon-greedy marginals mix the top-k slate with a uniform one", "[ope][policy]") {
  const std::vector<double> scores = {0.1, 0.9, 0.5};  // ranking: 1, 2, 0
  std::vector<double> m(3 * 2);
  SlateMarginals({PolicyKind::kEpsilonGreedy, 1.0, 0.3}, scores, 2, m);
  // item 1 at position 1: 0.7 + 0.3 / 3; item 2 at position 2: the same; others 0.1
  CHECK(m[1 * 2 + 0] == Approx(0.8));
  CHECK(m[2 * 2 + 1] == Approx(0.8));
  CHECK(m[0 * 2 + 0] == Approx(0.1));
  CHECK(m[1 * 2 + 1] == Approx(0.1));
  const uint32_t top[] = {1, 2}, other[] = {0, 2};
  CHECK(PrefixProbability({PolicyKind::kEpsilonGreedy, 1.0, 0.3}, scores, top) == Approx(0.7 + 0.3 / 6));
  CHECK(PrefixProbability({PolicyKind::kEpsilonGreedy, 1.0, 0.3}, scores, other) == Approx(0.3 / 6));
}

TEST_CASE("top-k puts all mass on the ranking, smaller index first on ties", "[ope][policy]") {
  const std::vector<double> scores = {0.5, 0.5, 0.9};
  std::vector<double> m(3 * 2);
  SlateMarginals({PolicyKind::kTopK}, scores, 2, m);
  CHECK(m[2 * 2 + 0] == 1.0);
  CHECK(m[0 * 2 + 1] == 1.0);
  CHECK(m[1 * 2 + 1] == 0.0);
}

TEST_CASE("softmax slate marginals equal the brute-force sum over permutations", "[ope][policy]") {
  const std::vector<double> scores = {0.3, -1.2, 2.0, 0.7, 0.0};
  const uint32_t K = 3;
  std::vector<double> m(scores.size() * K);
  const SlatePolicy softmax{PolicyKind::kSoftmax, 0.8, 0};
  SlateMarginals(softmax, scores, K, m);
  // the probabilities the policy uses: standardised scores over temperature
  double mean = 0, sq = 0;
  for (double s : scores) mean += s;
  mean /= scores.size();
  for (double s : scores) sq += (s - mean) * (s - mean);
  const double sd = std::sqrt(sq / (scores.size() - 1));
  std::vector<double> p(scores.size());
  double total = 0;
  for (size_t a = 0; a < p.size(); ++a) total += p[a] = std::exp((scores[a] - mean) / sd / 0.8);
  for (double& x : p) x /= total;
  const std::vector<double> expected = BruteForceMarginals(p, K);
  for (size_t j = 0; j < m.size(); ++j) CHECK(m[j] == Approx(expected[j]).margin(1e-12));
  for (uint32_t k = 0; k < K; ++k) {
    double column = 0;
    for (size_t a = 0; a < scores.size(); ++a) column += m[a * K + k];
    CHECK(column == Approx(1.0));
  }
  const uint32_t prefix[] = {2, 0};
  CHECK(PrefixProbability(softmax, scores, prefix) == Approx(p[2] * p[0] / (1 - p[2])));
}

TEST_CASE("sampled slates follow the marginals", "[ope][policy]") {
  const std::vector<double> scores = {1.0, 0.2, -0.5, 0.8};
  const SlatePolicy softmax{PolicyKind::kSoftmax, 1.0, 0};
  std::vector<double> m(4 * 2), seen(4 * 2, 0.0);
  SlateMarginals(softmax, scores, 2, m);
  std::mt19937_64 rng(3);
  std::vector<uint32_t> slate(2);
  const int n = 40000;
  for (int t = 0; t < n; ++t) {
    SampleSlate(softmax, scores, rng, slate);
    CHECK(slate[0] != slate[1]);
    seen[slate[0] * 2 + 0] += 1.0 / n;
    seen[slate[1] * 2 + 1] += 1.0 / n;
  }
  for (size_t j = 0; j < m.size(); ++j) CHECK(seen[j] == Approx(m[j]).margin(0.01));
}

TEST_CASE("a near-deterministic softmax keeps finite probabilities", "[ope][policy]") {
  const std::vector<double> scores = {1000.0, 0.0, 0.0, 0.0};
  std::vector<double> m(4 * 3);
  SlateMarginals({PolicyKind::kSoftmax, 0.01, 0}, scores, 3, m);
  for (double x : m) CHECK(std::isfinite(x));
  CHECK(m[0] == Approx(1.0));
}

TEST_CASE("a slate longer than the action space is an error", "[ope][policy]") {
  std::vector<double> m(2 * 3);
  const std::vector<double> scores = {1.0, 2.0};
  CHECK_THROWS_WITH(SlateMarginals({PolicyKind::kTopK}, scores, 3, m),
                    Catch::Contains("3 positions needs at least as many actions, found 2"));
  CHECK_THROWS_WITH(ParsePolicyKind("greedy"), Catch::Contains("expected top-k, softmax or epsilon-greedy"));
}

TEST_CASE("the cascade truth of a policy sums over its slates", "[ope][policy]") {
  const std::vector<double> scores = {0.2, 0.9, 0.5}, attraction = {0.5, 0.2, 0.4};
  // top-2 slate (1, 2): 0.2 + 0.8 * 0.4
  CHECK(ExpectedCascadeReward({PolicyKind::kTopK}, scores, attraction, 2) == Approx(0.2 + 0.8 * 0.4));
  // uniform over the 6 ordered pairs: mean of a(x) + (1 - a(x)) a(y)
  double uniform = 0;
  for (int x = 0; x < 3; ++x)
    for (int y = 0; y < 3; ++y)
      if (x != y) uniform += (attraction[x] + (1 - attraction[x]) * attraction[y]) / 6;
  CHECK(ExpectedCascadeReward({PolicyKind::kEpsilonGreedy, 1, 1.0}, scores, attraction, 2) ==
        Approx(uniform));
  // softmax: by its prefix probabilities
  const SlatePolicy softmax{PolicyKind::kSoftmax, 0.7, 0};
  double expected = 0;
  for (uint32_t x = 0; x < 3; ++x)
    for (uint32_t y = 0; y < 3; ++y)
      if (x != y) {
        const uint32_t prefix[] = {x, y};
        expected += PrefixProbability(softmax, scores, prefix) *
                    (attraction[x] + (1 - attraction[x]) * attraction[y]);
      }
  CHECK(ExpectedCascadeReward(softmax, scores, attraction, 2) == Approx(expected));
}
