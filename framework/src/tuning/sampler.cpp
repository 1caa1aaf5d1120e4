#include "tuning/sampler.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "util/error.h"

namespace reclift::host {
namespace {

// splitmix64: a small seedable stream whose output is the same everywhere
// (std::*_distribution is not, across standard libraries)
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed ^ 0x7475FE5A3B1D2C4FULL) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>(Uniform() * static_cast<double>(n)) % n; }
  double Normal() {  // Box-Muller
    const double u1 = 1.0 - Uniform(), u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t state_;
};

using Kind = TuneDimension::Kind;

// A numeric dimension in the space the estimator works in: log for
// log_uniform, [lo - 0.5, hi + 0.5] for integers (rounded back).
struct Axis {
  double low, high;
  bool log = false, integer = false;
};

Axis AxisOf(const TuneDimension& d) {
  if (d.kind == Kind::kLogUniform) return {std::log(d.low), std::log(d.high), true, false};
  if (d.kind == Kind::kIntUniform) return {d.low - 0.5, d.high + 0.5, false, true};
  return {d.low, d.high, false, false};
}

double ToAxis(const TuneDimension& d, const ParamValue& v) {
  const double x =
      std::holds_alternative<int64_t>(v) ? static_cast<double>(std::get<int64_t>(v)) : std::get<double>(v);
  return d.kind == Kind::kLogUniform ? std::log(x) : x;
}

ParamValue FromAxis(const TuneDimension& d, double x) {
  if (d.kind == Kind::kIntUniform) {
    return static_cast<int64_t>(
        std::clamp(std::llround(x), static_cast<long long>(d.low), static_cast<long long>(d.high)));
  }
  if (d.kind == Kind::kLogUniform) return std::clamp(std::exp(x), d.low, d.high);
  return std::clamp(x, d.low, d.high);
}

size_t ChoiceIndex(const TuneDimension& d, const ParamValue& v) {
  for (size_t i = 0; i < d.choices.size(); ++i) {
    if (d.choices[i] == v) return i;
  }
  return 0;
}

ParamValue DrawUniform(const TuneDimension& d, Rng& rng) {
  if (d.kind == Kind::kChoices) return d.choices[rng.Below(d.choices.size())];
  if (d.kind == Kind::kIntUniform) {
    const auto lo = static_cast<int64_t>(d.low), hi = static_cast<int64_t>(d.high);
    return lo + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  const Axis a = AxisOf(d);
  return FromAxis(d, a.low + rng.Uniform() * (a.high - a.low));
}

double Phi(double z) {
  return 0.5 * std::erfc(-z / std::sqrt(2.0));
}

// A mixture of Gaussians truncated to the axis.
struct Parzen {
  Axis axis;
  std::vector<double> weight, mu, sigma, mass;  // mass: of each Gaussian inside the axis

  double Sample(Rng& rng) const {
    double u = rng.Uniform(), acc = 0;
    size_t k = 0;
    for (; k + 1 < weight.size(); ++k) {
      acc += weight[k];
      if (u < acc) break;
    }
    for (int tries = 0; tries < 100; ++tries) {
      const double x = mu[k] + sigma[k] * rng.Normal();
      if (x >= axis.low && x <= axis.high) return x;
    }
    return axis.low + rng.Uniform() * (axis.high - axis.low);
  }
  // log density (integers: log probability of the rounded value's bin)
  double LogDensity(double x) const {
    double p = 0;
    for (size_t k = 0; k < weight.size(); ++k) {
      if (axis.integer) {
        const double r = std::round(x);
        p += weight[k] * (Phi((r + 0.5 - mu[k]) / sigma[k]) - Phi((r - 0.5 - mu[k]) / sigma[k])) / mass[k];
      } else {
        const double z = (x - mu[k]) / sigma[k];
        p += weight[k] * std::exp(-0.5 * z * z) / (sigma[k] * 2.5066282746310002 * mass[k]);
      }
    }
    return std::log(std::max(p, 1e-300));
  }
};

Parzen BuildParzen(const Axis& axis, const std::vector<double>& points,
                   const std::vector<double>& point_weights, double prior_weight) {
  Parzen p;
  p.axis = axis;
  const double range = axis.high - axis.low;
  p.mu = points;
  p.weight = point_weights;
  p.mu.push_back(0.5 * (axis.low + axis.high));  // the prior: the whole range
  p.weight.push_back(prior_weight);
  const size_t n = p.mu.size();
  p.sigma.assign(n, range);
  if (n > 1) {
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p.mu[a] < p.mu[b]; });
    for (size_t j = 0; j < n; ++j) {
      const double left = j > 0 ? p.mu[order[j]] - p.mu[order[j - 1]] : -1;
      const double right = j + 1 < n ? p.mu[order[j + 1]] - p.mu[order[j]] : -1;
      // at the ends the one neighbour counts (endpoints are not considered)
      p.sigma[order[j]] = std::max(left < 0 ? right : left, right < 0 ? left : right);
    }
  }
  p.sigma.back() = range;  // the prior stays wide
  const double min_sigma = range / std::min(100.0, 1.0 + static_cast<double>(n));
  for (double& s : p.sigma) s = std::clamp(s, min_sigma, range);
  const double total = std::accumulate(p.weight.begin(), p.weight.end(), 0.0);
  for (double& w : p.weight) w /= total;
  p.mass.resize(n);
  for (size_t k = 0; k < n; ++k) {
    p.mass[k] =
        std::max(Phi((axis.high - p.mu[k]) / p.sigma[k]) - Phi((axis.low - p.mu[k]) / p.sigma[k]), 1e-12);
  }
  return p;
}

// Optuna's default weights of n observations in trial order: all 1 below
// 25; else the oldest n - 25 ramp up from 1/n towards 1 and the latest 25 are 1.
std::vector<double> TrialWeights(size_t n) {
  std::vector<double> w(n, 1.0);
  if (n < 25) return w;
  const size_t ramp = n - 25;
  for (size_t i = 0; i < ramp; ++i) {
    w[i] = ramp == 1
               ? 1.0 / static_cast<double>(n)
               : 1.0 / static_cast<double>(n) + (1.0 - 1.0 / static_cast<double>(n)) *
                                                    static_cast<double>(i) / static_cast<double>(ramp - 1);
  }
  return w;
}

class RandomSampler final : public TuneSampler {
 public:
  RandomSampler(TuneSpace space, uint64_t seed) : space_(std::move(space)), rng_(seed) {}
  std::vector<TuneConfig> Next(const std::vector<TuneObservation>&, size_t count) override {
    std::vector<TuneConfig> out(count);
    for (TuneConfig& c : out) {
      for (const auto& [name, d] : space_) c[name] = DrawUniform(d, rng_);
    }
    return out;
  }

 private:
  TuneSpace space_;
  Rng rng_;
};

class TpeSampler final : public TuneSampler {
 public:
  TpeSampler(TuneSpace space, uint64_t seed, TpeOptions options)
      : space_(std::move(space)), rng_(seed), options_(options) {}

  std::vector<TuneConfig> Next(const std::vector<TuneObservation>& history, size_t count) override {
    std::vector<TuneConfig> out;
    for (size_t c = 0; c < count; ++c) {
      if (history.size() < options_.startup_trials) {
        TuneConfig config;
        for (const auto& [name, d] : space_) config[name] = DrawUniform(d, rng_);
        out.push_back(std::move(config));
      } else {
        out.push_back(Suggest(history));
      }
    }
    return out;
  }

 private:
  TuneConfig Suggest(const std::vector<TuneObservation>& history) {
    // the best gamma(n) trials are "below" (l), the rest "above" (g); both in trial order
    const size_t n = history.size();
    std::vector<size_t> by_score(n);
    std::iota(by_score.begin(), by_score.end(), 0);
    std::stable_sort(by_score.begin(), by_score.end(),
                     [&](size_t a, size_t b) { return history[a].score > history[b].score; });
    const size_t n_below = std::min<size_t>(static_cast<size_t>(std::ceil(0.1 * static_cast<double>(n))), 25);
    std::vector<size_t> below(by_score.begin(), by_score.begin() + static_cast<ptrdiff_t>(n_below));
    std::vector<size_t> above(by_score.begin() + static_cast<ptrdiff_t>(n_below), by_score.end());
    std::sort(below.begin(), below.end());
    std::sort(above.begin(), above.end());
    const std::vector<double> w_below = TrialWeights(below.size()), w_above = TrialWeights(above.size());

    TuneConfig config;
    for (const auto& [name, d] : space_) {
      if (d.kind == Kind::kChoices) {
        const size_t k = d.choices.size();
        auto masses = [&](const std::vector<size_t>& group, const std::vector<double>& w) {
          std::vector<double> m(k, options_.prior_weight / static_cast<double>(k));
          for (size_t i = 0; i < group.size(); ++i)
            m[ChoiceIndex(d, history[group[i]].config.at(name))] += w[i];
          const double total = std::accumulate(m.begin(), m.end(), 0.0);
          for (double& x : m) x /= total;
          return m;
        };
        const std::vector<double> l = masses(below, w_below), g = masses(above, w_above);
        size_t best = 0;
        double best_ratio = -INFINITY;
        for (size_t c = 0; c < options_.candidates; ++c) {
          double u = rng_.Uniform(), acc = 0;
          size_t pick = 0;
          for (; pick + 1 < k; ++pick) {
            acc += l[pick];
            if (u < acc) break;
          }
          const double ratio = std::log(l[pick]) - std::log(g[pick]);
          if (ratio > best_ratio) best_ratio = ratio, best = pick;
        }
        config[name] = d.choices[best];
        continue;
      }
      const Axis axis = AxisOf(d);
      auto points = [&](const std::vector<size_t>& group) {
        std::vector<double> x;
        for (size_t i : group) x.push_back(ToAxis(d, history[i].config.at(name)));
        return x;
      };
      const Parzen l = BuildParzen(axis, points(below), w_below, options_.prior_weight);
      const Parzen g = BuildParzen(axis, points(above), w_above, options_.prior_weight);
      double best = l.Sample(rng_), best_ratio = -INFINITY;
      for (size_t c = 0; c < options_.candidates; ++c) {
        double x = l.Sample(rng_);
        if (axis.integer) x = std::round(x);
        const double ratio = l.LogDensity(x) - g.LogDensity(x);
        if (ratio > best_ratio) best_ratio = ratio, best = x;
      }
      config[name] = FromAxis(d, best);
    }
    return config;
  }

  TuneSpace space_;
  Rng rng_;
  TpeOptions options_;
};

}  // namespace

std::vector<TuneConfig> GridConfigs(const TuneSpace& space, size_t limit) {
  for (const auto& [name, d] : space) {
    if (d.kind != Kind::kChoices) {
      throw Error(d.where, "tune." + name + ": a grid needs a list of choices, not a " +
                               TuneKindName(d.kind) + " range");
    }
  }
  std::vector<TuneConfig> out;
  std::vector<std::pair<std::string, const TuneDimension*>> dims;
  for (const auto& [name, d] : space) dims.emplace_back(name, &d);
  std::vector<size_t> index(dims.size(), 0);
  while (out.size() < limit) {
    TuneConfig c;
    for (size_t i = 0; i < dims.size(); ++i) c[dims[i].first] = dims[i].second->choices[index[i]];
    out.push_back(std::move(c));
    // odometer: the last parameter varies fastest
    size_t i = dims.size();
    while (i > 0) {
      --i;
      if (++index[i] < dims[i].second->choices.size()) break;
      index[i] = 0;
      if (i == 0) return out;
    }
    if (dims.empty()) break;
  }
  return out;
}

std::unique_ptr<TuneSampler> MakeRandomSampler(const TuneSpace& space, uint64_t seed) {
  return std::make_unique<RandomSampler>(space, seed);
}

std::unique_ptr<TuneSampler> MakeTpeSampler(const TuneSpace& space, uint64_t seed, TpeOptions options) {
  return std::make_unique<TpeSampler>(space, seed, options);
}

}  // namespace reclift::host
