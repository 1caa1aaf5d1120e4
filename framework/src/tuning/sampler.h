// Search-space samplers: grid, seeded random, and TPE. Pure functions of the
// space, the seed and the trials so far: no data, no plugins, so they are
// tested on known objectives (tests/tuning/).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tuning/tuning_spec.h"

namespace reclift::host {

// A search space: parameter -> dimension.
using TuneSpace = std::map<std::string, TuneDimension>;
// A point of it: parameter -> value (int64 for int_uniform, double for the
// float ranges, the listed value for choices).
using TuneConfig = std::map<std::string, ParamValue>;

// A finished trial as the samplers see it. `score` is higher-is-better (the
// tuner negates a lower-is-better metric); failed trials are left out.
struct TuneObservation {
  TuneConfig config;
  double score = 0;
};

class TuneSampler {
 public:
  virtual ~TuneSampler() = default;
  // The next `count` configurations given the finished trials so far.
  virtual std::vector<TuneConfig> Next(const std::vector<TuneObservation>& history, size_t count) = 0;
};

// Every combination of the choices (the first parameter by name varies
// slowest), at most `limit`. Throws Error at a range dimension.
std::vector<TuneConfig> GridConfigs(const TuneSpace& space, size_t limit);

// Independent uniform draws (log-uniform in log space) from a seeded stream.
std::unique_ptr<TuneSampler> MakeRandomSampler(const TuneSpace& space, uint64_t seed);

// The tree-structured Parzen estimator of Bergstra et al. (NeurIPS 2011) in
// the form of Optuna's default TPESampler (independent per parameter):
// `startup_trials` random trials first; then the finished trials are split
// into the best gamma(n) = min(ceil(0.1 n), 25) ("below", l) and the rest
// ("above", g); each parameter gets a Parzen mixture per group (a truncated
// Gaussian per observation plus a prior one over the whole range, bandwidth
// the larger gap to a neighbour, clipped to [range / min(100, 1 + n), range];
// categorical: observation counts plus a prior of one spread evenly);
// `candidates` draws from l are made and the one with the largest l(x)/g(x)
// is taken. Log-uniform parameters are modelled in log space, integers as
// discretised Gaussians.
struct TpeOptions {
  size_t startup_trials = 10;
  size_t candidates = 24;
  double prior_weight = 1.0;
};
std::unique_ptr<TuneSampler> MakeTpeSampler(const TuneSpace& space, uint64_t seed, TpeOptions options = {});

}  // namespace reclift::host
