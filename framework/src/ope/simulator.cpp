#include "ope/simulator.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <sstream>
#include <unordered_map>

#include "ope/policy.h"
#include "util/atomic_file.h"
#include "util/error.h"

namespace reclift::host {
namespace {

double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// Dense item profiles over categories then tags (a random non-negative
// vector per item when the dataset has none), rows of length dims.
std::vector<double> ItemProfiles(const Dataset& data, size_t& dims, uint64_t seed) {
  const OwnedItemFeatures& f = data.item_features;
  const size_t cats = f.category_names.size(), tags = f.tag_names.size();
  const bool has_rows =
      f.categories.indptr.size() == data.num_items() + 1 || f.tags.indptr.size() == data.num_items() + 1;
  if (cats + tags == 0 || !has_rows) {
    dims = 16;
    std::vector<double> out(static_cast<size_t>(data.num_items()) * dims);
    std::mt19937_64 rng(seed ^ 0x9e3779b97f4a7c15ULL);
    std::normal_distribution<double> normal;
    for (double& x : out) x = std::abs(normal(rng));
    return out;
  }
  dims = cats + tags;
  std::vector<double> out(static_cast<size_t>(data.num_items()) * dims, 0.0);
  auto add = [&](const OwnedSparse& m, size_t offset) {
    if (m.indptr.size() != data.num_items() + 1) return;
    for (uint32_t i = 0; i < data.num_items(); ++i) {
      for (uint64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) {
        out[i * dims + offset + m.indices[p]] += m.values.empty() ? 1.0 : m.values[p];
      }
    }
  };
  add(f.categories, 0);
  add(f.tags, cats);
  return out;
}

}  // namespace

LoggedFeedback SimulateLoggedFeedback(const Dataset& data, const LoggedSimOptions& o) {
  if (std::find(std::begin(kLoggingPolicies), std::end(kLoggingPolicies), o.logging_policy) ==
      std::end(kLoggingPolicies)) {
    throw Error("logged.logging_policy: unknown '" + o.logging_policy +
                "' (expected uniform, popularity-softmax or epsilon-greedy)");
  }
  if (o.actions == 0 || o.actions > data.num_items()) {
    throw Error("logged.actions: expected 1.." + std::to_string(data.num_items()) +
                " (the dataset's items), found " + std::to_string(o.actions));
  }
  if (o.slate_size == 0 || o.slate_size > o.actions) {
    throw Error("logged.slate_size: expected 1.." + std::to_string(o.actions) +
                " (at most logged.actions), found " + std::to_string(o.slate_size));
  }
  const uint32_t K = o.slate_size, A = o.actions;
  if (o.click_model != "pbm" && o.click_model != "cascade") {
    throw Error("logged.click_model: unknown '" + o.click_model + "' (expected pbm or cascade)");
  }
  const bool cascade = o.click_model == "cascade";

  // the shelf: most popular items, smaller id first on ties
  std::vector<uint64_t> count(data.num_items(), 0);
  std::vector<uint8_t> active(data.num_users(), 0);
  for (size_t j = 0; j < data.size(); ++j) ++count[data.items[j]], active[data.users[j]] = 1;
  std::vector<uint32_t> by_popularity(data.num_items());
  std::iota(by_popularity.begin(), by_popularity.end(), 0u);
  std::stable_sort(by_popularity.begin(), by_popularity.end(),
                   [&](uint32_t a, uint32_t b) { return count[a] > count[b]; });
  const std::vector<uint32_t> shelf(by_popularity.begin(), by_popularity.begin() + A);
  std::vector<uint32_t> candidates;
  for (uint32_t u = 0; u < data.num_users(); ++u) {
    if (active[u]) candidates.push_back(u);
  }
  if (candidates.empty()) throw Error("logged: the dataset has no user with an interaction to simulate");

  LoggedFeedback logs;
  logs.source = "synthetic";
  logs.logging_policy = o.logging_policy;
  logs.click_model = o.click_model;
  logs.num_rounds = o.rounds;
  logs.slate_size = K;
  for (uint32_t a : shelf) logs.action_ids.push_back(data.item_ids[a]);

  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<size_t> pick_user(0, candidates.size() - 1);
  std::unordered_map<uint32_t, uint32_t> log_user_of;
  std::vector<uint32_t> dataset_user;
  logs.round_user.resize(o.rounds);
  for (uint32_t r = 0; r < o.rounds; ++r) {
    const uint32_t u = candidates[pick_user(rng)];
    auto [it, added] = log_user_of.emplace(u, static_cast<uint32_t>(dataset_user.size()));
    if (added) dataset_user.push_back(u);
    logs.round_user[r] = it->second;
  }
  const size_t U = dataset_user.size();
  for (uint32_t u : dataset_user) logs.user_ids.push_back(data.user_ids[u]);

  // true taste: cosine of the user's history profile with the item's
  size_t dims = 0;
  const std::vector<double> profile = ItemProfiles(data, dims, o.seed);
  std::vector<double> user_profile(U * dims, 0.0);
  for (size_t j = 0; j < data.size(); ++j) {
    auto it = log_user_of.find(data.users[j]);
    if (it == log_user_of.end()) continue;
    const double* item = profile.data() + static_cast<size_t>(data.items[j]) * dims;
    double* acc = user_profile.data() + it->second * dims;
    const double weight = data.values.empty() ? 1.0 : std::max<double>(data.values[j], 0.0);
    for (size_t d = 0; d < dims; ++d) acc[d] += weight * item[d];
  }
  std::vector<double> theta(K);
  for (uint32_t k = 0; k < K; ++k) theta[k] = 1.0 / std::pow(static_cast<double>(k + 1), o.position_decay);
  std::vector<double> base(U * A);  // P(click at position 1)
  for (size_t u = 0; u < U; ++u) {
    const double* up = user_profile.data() + u * dims;
    double un = 0;
    for (size_t d = 0; d < dims; ++d) un += up[d] * up[d];
    for (uint32_t a = 0; a < A; ++a) {
      const double* ip = profile.data() + static_cast<size_t>(shelf[a]) * dims;
      double dot = 0, in = 0;
      for (size_t d = 0; d < dims; ++d) dot += up[d] * ip[d], in += ip[d] * ip[d];
      const double cosine = un > 0 && in > 0 ? dot / std::sqrt(un * in) : 0.0;
      base[u * A + a] = Sigmoid(-2.5 + 5.0 * cosine);
    }
  }
  logs.truth.resize(U * A * K);
  for (size_t u = 0; u < U; ++u) {
    for (uint32_t a = 0; a < A; ++a) {
      for (uint32_t k = 0; k < K; ++k) {
        // cascade: the attraction, whatever the position (the position effect is the stop)
        logs.truth[(u * A + a) * K + k] = cascade ? base[u * A + a] : theta[k] * base[u * A + a];
      }
    }
  }

  // the logger's scores per user
  SlatePolicy logger;
  std::vector<double> scores(U * A, 0.0);
  if (o.logging_policy == "uniform") {
    logger = {PolicyKind::kEpsilonGreedy, 1.0, 1.0};
  } else if (o.logging_policy == "popularity-softmax") {
    logger = {PolicyKind::kSoftmax, o.temperature, 0.0};
    double mean = 0, sq = 0;
    for (uint32_t a = 0; a < A; ++a) mean += std::log1p(static_cast<double>(count[shelf[a]]));
    mean /= A;
    for (uint32_t a = 0; a < A; ++a)
      sq += std::pow(std::log1p(static_cast<double>(count[shelf[a]])) - mean, 2);
    const double sd = A > 1 && sq > 0 ? std::sqrt(sq / (A - 1)) : 1.0;
    for (size_t u = 0; u < U; ++u) {
      for (uint32_t a = 0; a < A; ++a) {
        scores[u * A + a] = (std::log1p(static_cast<double>(count[shelf[a]])) - mean) / sd;
      }
    }
  } else {
    logger = {PolicyKind::kEpsilonGreedy, 1.0, o.epsilon};
    std::mt19937_64 noise_rng(o.seed ^ 0x5851f42d4c957f2dULL);
    std::normal_distribution<double> normal;
    for (size_t u = 0; u < U; ++u) {
      for (uint32_t a = 0; a < A; ++a) {
        const double b = base[u * A + a];
        scores[u * A + a] = std::log(b / (1 - b)) + o.model_noise * normal(noise_rng);
      }
    }
  }

  std::vector<double> marginals(U * A * K, -1.0);  // computed on first use
  const size_t slots = static_cast<size_t>(o.rounds) * K;
  logs.item.assign(slots, kNoAction);
  logs.reward.assign(slots, 0.0);
  logs.propensity.assign(slots, 0.0);
  logs.prefix_propensity.assign(slots, 0.0);
  logs.round_line.assign(o.rounds, 0);
  std::vector<uint32_t> slate(K);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (uint32_t r = 0; r < o.rounds; ++r) {
    const size_t u = logs.round_user[r];
    const std::span<const double> s(scores.data() + u * A, A);
    std::span<double> m(marginals.data() + u * A * K, static_cast<size_t>(A) * K);
    if (m[0] < 0) SlateMarginals(logger, s, K, m);
    SampleSlate(logger, s, rng, slate);
    bool clicked = false;
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      const uint32_t a = slate[k];
      logs.item[slot] = a;
      logs.propensity[slot] = m[static_cast<size_t>(a) * K + k];
      logs.prefix_propensity[slot] =
          PrefixProbability(logger, s, std::span<const uint32_t>(slate.data(), k + 1));
      const double u01 = unit(rng);  // drawn at every position: the stream does not depend on the clicks
      // cascade: the user scans down and leaves after the first click
      logs.reward[slot] = !(cascade && clicked) && u01 < logs.truth[(u * A + a) * K + k] ? 1.0 : 0.0;
      clicked = clicked || logs.reward[slot] > 0;
    }
  }
  return logs;
}

void WriteLoggedFeedback(const LoggedFeedback& logs, const std::filesystem::path& dir) {
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  std::ostringstream out;
  out.precision(17);
  out << "round,user,item,position,reward,propensity,prefix_propensity\n";
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) continue;
      out << r << ',' << logs.user_ids[logs.round_user[r]] << ',' << logs.action_ids[logs.item[slot]] << ','
          << (k + 1) << ',' << logs.reward[slot] << ',' << logs.propensity[slot] << ','
          << (logs.has_prefix_propensity() ? logs.prefix_propensity[slot] : 0.0) << '\n';
    }
  }
  WriteFileAtomic(dir / "logged.csv", out.str());
  if (!logs.has_truth()) return;
  std::ostringstream truth;
  truth.precision(17);
  truth << "user,item,position,probability\n";
  for (size_t u = 0; u < logs.user_ids.size(); ++u) {
    for (uint32_t a = 0; a < A; ++a) {
      for (uint32_t k = 0; k < K; ++k) {
        truth << logs.user_ids[u] << ',' << logs.action_ids[a] << ',' << (k + 1) << ','
              << logs.truth[(u * A + a) * K + k] << '\n';
      }
    }
  }
  WriteFileAtomic(dir / "truth.csv", truth.str());
}

}  // namespace reclift::host
