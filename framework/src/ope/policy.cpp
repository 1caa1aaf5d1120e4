#include "ope/policy.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "util/error.h"

namespace reclift::host {
namespace {

// exp(z / temperature) normalised, z the scores standardised over the
// actions (so one temperature means the same for every recommender);
// scores at or below kNeverScore get probability 0.
std::vector<double> SoftmaxProbabilities(std::span<const double> scores, double temperature) {
  double mean = 0, sq = 0, n = 0;
  for (double x : scores) {
    if (x > kNeverScore) mean += x, n += 1;
  }
  mean = n > 0 ? mean / n : 0.0;
  for (double x : scores) {
    if (x > kNeverScore) sq += (x - mean) * (x - mean);
  }
  const double sd = n > 1 && sq > 0 ? std::sqrt(sq / (n - 1)) : 1.0;
  double top = -std::numeric_limits<double>::infinity();
  std::vector<double> z(scores.size(), -std::numeric_limits<double>::infinity());
  for (size_t a = 0; a < scores.size(); ++a) {
    if (scores[a] > kNeverScore) top = std::max(top, z[a] = (scores[a] - mean) / sd / temperature);
  }
  std::vector<double> p(scores.size(), 0.0);
  double total = 0;
  for (size_t a = 0; a < scores.size(); ++a) {
    if (std::isfinite(z[a])) total += p[a] = std::exp(z[a] - top);
  }
  if (total == 0) {  // no scored action: uniform
    std::fill(p.begin(), p.end(), 1.0);
    total = static_cast<double>(p.size());
  }
  for (double& x : p) x /= total;
  return p;
}

size_t PrefixCount(size_t actions, uint32_t slate_size) {
  size_t count = 1, level = 1;
  for (uint32_t d = 1; d < slate_size; ++d) {
    level *= actions - (d - 1);
    count += level;
    if (count > kMaxSoftmaxPrefixes) return count;
  }
  return count;
}

// Walks every ordered prefix of length < K; at depth d adds, for position
// d, c = P(prefix) / remaining(prefix) to total[d] and to excluded[j][d]
// for the prefix's own actions j, so that P(a at d) = p_a (total[d] -
// excluded[a][d]). The remaining mass is summed, not 1 - used, so that a
// near-deterministic softmax does not cancel to 0.
struct PlackettLuceWalk {
  std::span<const double> p;
  uint32_t slate_size;
  std::vector<double> total, excluded;
  std::vector<uint32_t> prefix;
  std::vector<uint8_t> used;

  void Visit(double probability) {
    double remaining = 0;
    for (size_t a = 0; a < p.size(); ++a) {
      if (!used[a]) remaining += p[a];
    }
    if (remaining <= 0 || probability <= 0) return;
    const uint32_t d = static_cast<uint32_t>(prefix.size());
    const double c = probability / remaining;
    total[d] += c;
    for (uint32_t j : prefix) excluded[static_cast<size_t>(j) * slate_size + d] += c;
    if (d + 1 == slate_size) return;
    for (uint32_t a = 0; a < p.size(); ++a) {
      if (used[a] || p[a] <= 0) continue;
      used[a] = 1;
      prefix.push_back(a);
      Visit(c * p[a]);
      prefix.pop_back();
      used[a] = 0;
    }
  }
};

void CheckSlate(size_t actions, size_t slate_size) {
  if (slate_size == 0 || slate_size > actions) {
    throw Error("a slate of " + std::to_string(slate_size) +
                " positions needs at least as many actions, found " + std::to_string(actions));
  }
}

}  // namespace

namespace {

// value += P(prefix + a) * P(no click above) * attraction[a], over every
// ordered prefix; `conditional` gives P(a next | prefix).
template <class Conditional>
void CascadeWalk(std::span<const double> attraction, uint32_t slate_size, std::vector<uint8_t>& used,
                 uint32_t depth, double probability, double survive, const Conditional& conditional,
                 double& value) {
  for (uint32_t a = 0; a < attraction.size(); ++a) {
    if (used[a]) continue;
    const double c = probability * conditional(a, depth);
    if (c <= 0) continue;
    value += c * survive * attraction[a];
    if (depth + 1 < slate_size) {
      used[a] = 1;
      CascadeWalk(attraction, slate_size, used, depth + 1, c, survive * (1 - attraction[a]), conditional,
                  value);
      used[a] = 0;
    }
  }
}

}  // namespace

double ExpectedCascadeReward(const SlatePolicy& policy, std::span<const double> scores,
                             std::span<const double> attraction, uint32_t slate_size) {
  const size_t actions = scores.size();
  CheckSlate(actions, slate_size);
  if (PrefixCount(actions, slate_size) > kMaxSoftmaxPrefixes) {
    throw Error("cascade truth over " + std::to_string(actions) + " actions and " +
                std::to_string(slate_size) + " positions sums over more than " +
                std::to_string(kMaxSoftmaxPrefixes) + " prefixes");
  }
  std::vector<uint8_t> used(actions, 0);
  auto greedy_value = [&] {
    const std::vector<uint32_t> order = RankActions(scores);
    double value = 0, survive = 1;
    for (uint32_t k = 0; k < slate_size; ++k) {
      value += survive * attraction[order[k]];
      survive *= 1 - attraction[order[k]];
    }
    return value;
  };
  if (policy.kind == PolicyKind::kSoftmax) {
    const std::vector<double> p = SoftmaxProbabilities(scores, policy.temperature);
    double value = 0;
    auto conditional = [&](uint32_t a, uint32_t) {
      double remaining = 0;
      for (size_t b = 0; b < actions; ++b) {
        if (!used[b]) remaining += p[b];
      }
      return remaining > 0 ? p[a] / remaining : 0.0;
    };
    CascadeWalk(attraction, slate_size, used, 0, 1.0, 1.0, conditional, value);
    return value;
  }
  const double epsilon = policy.kind == PolicyKind::kTopK ? 0.0 : policy.epsilon;
  double uniform = 0;
  if (epsilon > 0) {
    auto conditional = [&](uint32_t, uint32_t depth) { return 1.0 / static_cast<double>(actions - depth); };
    CascadeWalk(attraction, slate_size, used, 0, 1.0, 1.0, conditional, uniform);
  }
  return (1 - epsilon) * greedy_value() + epsilon * uniform;
}

PolicyKind ParsePolicyKind(const std::string& name) {
  if (name == "top-k") return PolicyKind::kTopK;
  if (name == "softmax") return PolicyKind::kSoftmax;
  if (name == "epsilon-greedy") return PolicyKind::kEpsilonGreedy;
  throw Error("unknown policy '" + name + "' (expected top-k, softmax or epsilon-greedy)");
}

const char* PolicyKindName(PolicyKind kind) {
  switch (kind) {
    case PolicyKind::kTopK: return "top-k";
    case PolicyKind::kSoftmax: return "softmax";
    case PolicyKind::kEpsilonGreedy: return "epsilon-greedy";
  }
  return "?";
}

std::vector<uint32_t> RankActions(std::span<const double> scores) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
  return order;
}

void SlateMarginals(const SlatePolicy& policy, std::span<const double> scores, uint32_t slate_size,
                    std::span<double> out) {
  const size_t actions = scores.size();
  CheckSlate(actions, slate_size);
  std::fill(out.begin(), out.end(), 0.0);
  if (policy.kind == PolicyKind::kSoftmax) {
    const std::vector<double> p = SoftmaxProbabilities(scores, policy.temperature);
    if (PrefixCount(actions, slate_size) > kMaxSoftmaxPrefixes) {
      throw Error("softmax slate probabilities over " + std::to_string(actions) + " actions and " +
                  std::to_string(slate_size) + " positions sum over more than " +
                  std::to_string(kMaxSoftmaxPrefixes) + " prefixes; use fewer actions or epsilon-greedy");
    }
    PlackettLuceWalk walk{p,
                          slate_size,
                          std::vector<double>(slate_size, 0.0),
                          std::vector<double>(actions * slate_size, 0.0),
                          {},
                          std::vector<uint8_t>(actions, 0)};
    walk.Visit(1.0);
    for (size_t a = 0; a < actions; ++a) {
      for (uint32_t k = 0; k < slate_size; ++k) {
        out[a * slate_size + k] = p[a] * (walk.total[k] - walk.excluded[a * slate_size + k]);
      }
    }
    return;
  }
  const double epsilon = policy.kind == PolicyKind::kTopK ? 0.0 : policy.epsilon;
  const std::vector<uint32_t> order = RankActions(scores);
  const double spread = epsilon / static_cast<double>(actions);
  for (size_t a = 0; a < actions; ++a) {
    for (uint32_t k = 0; k < slate_size; ++k) out[a * slate_size + k] = spread;
  }
  for (uint32_t k = 0; k < slate_size; ++k)
    out[static_cast<size_t>(order[k]) * slate_size + k] += 1.0 - epsilon;
}

double PrefixProbability(const SlatePolicy& policy, std::span<const double> scores,
                         std::span<const uint32_t> prefix) {
  const size_t actions = scores.size();
  CheckSlate(actions, prefix.size());
  if (policy.kind == PolicyKind::kSoftmax) {
    const std::vector<double> p = SoftmaxProbabilities(scores, policy.temperature);
    std::vector<uint8_t> used(actions, 0);
    double probability = 1;
    for (uint32_t a : prefix) {
      double remaining = 0;
      for (size_t b = 0; b < actions; ++b) {
        if (!used[b]) remaining += p[b];
      }
      if (remaining <= 0 || used[a]) return 0.0;
      probability *= p[a] / remaining;
      used[a] = 1;
    }
    return probability;
  }
  const double epsilon = policy.kind == PolicyKind::kTopK ? 0.0 : policy.epsilon;
  const std::vector<uint32_t> order = RankActions(scores);
  const bool greedy = std::equal(prefix.begin(), prefix.end(), order.begin());
  double uniform = 1;
  for (size_t j = 0; j < prefix.size(); ++j) uniform /= static_cast<double>(actions - j);
  return (greedy ? 1.0 - epsilon : 0.0) + epsilon * uniform;
}

void SampleSlate(const SlatePolicy& policy, std::span<const double> scores, std::mt19937_64& rng,
                 std::span<uint32_t> out) {
  const size_t actions = scores.size();
  CheckSlate(actions, out.size());
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (policy.kind == PolicyKind::kSoftmax) {
    std::vector<double> p = SoftmaxProbabilities(scores, policy.temperature);
    for (uint32_t& slot : out) {
      double mass = 0;
      for (double x : p) mass += x;
      if (mass <= 0) throw Error("softmax: fewer actions with a positive probability than positions");
      double u = unit(rng) * mass;
      size_t chosen = actions;
      for (size_t a = 0; a < actions; ++a) {
        if (p[a] <= 0) continue;
        chosen = a;  // the last positive one absorbs rounding
        if ((u -= p[a]) < 0) break;
      }
      slot = static_cast<uint32_t>(chosen);
      p[chosen] = 0;
    }
    return;
  }
  const double epsilon = policy.kind == PolicyKind::kTopK ? 0.0 : policy.epsilon;
  if (epsilon > 0 && unit(rng) < epsilon) {
    std::vector<uint32_t> pool(actions);
    std::iota(pool.begin(), pool.end(), 0u);
    for (size_t j = 0; j < out.size(); ++j) {
      std::uniform_int_distribution<size_t> pick(j, actions - 1);
      std::swap(pool[j], pool[pick(rng)]);
      out[j] = pool[j];
    }
    return;
  }
  const std::vector<uint32_t> order = RankActions(scores);
  std::copy(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(out.size()), out.begin());
}

}  // namespace reclift::host
