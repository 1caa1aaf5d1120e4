#define EIGEN_DONT_PARALLELIZE  // oneTBB owns the threads
#include "ncf.h"

#include <tbb/global_control.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "ncf_network.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Status;
using reclift::StatusCode;
using reclift::recommenders::kNcfParams;
using reclift::recommenders::NcfRecommender;
using reclift::recommenders::NeuMfGradient;
using reclift::recommenders::NeuMfObjective;
using reclift::recommenders::NeuMfParameters;
using reclift::recommenders::NeuMfWorkspace;

Params MakeParams(const std::map<std::string, ParamValue>& given) {
  Params params;
  Status status = Params::Build(kNcfParams, given, params);
  REQUIRE(status.ok());
  return params;
}

using DoubleNet = NeuMfParameters<double>;

// Every scalar of the network, in a fixed order, for perturbing.
std::vector<std::pair<std::string, std::vector<double*>>> Blocks(DoubleNet& p) {
  auto all = [](auto& m) {
    std::vector<double*> v;
    for (Eigen::Index k = 0; k < m.size(); ++k) v.push_back(m.data() + k);
    return v;
  };
  std::vector<std::pair<std::string, std::vector<double*>>> blocks = {
      {"user_gmf", all(p.user_gmf)}, {"item_gmf", all(p.item_gmf)}, {"user_mlp", all(p.user_mlp)},
      {"item_mlp", all(p.item_mlp)}, {"out_gmf", all(p.out_gmf)},   {"out_mlp", all(p.out_mlp)},
      {"out_bias", {&p.out_bias}}};
  for (size_t l = 0; l < p.weights.size(); ++l) {
    blocks.push_back({"weights " + std::to_string(l), all(p.weights[l])});
    blocks.push_back({"biases " + std::to_string(l), all(p.biases[l])});
  }
  return blocks;
}

// The analytic gradient laid out like Blocks(): embedding rows of the
// samples summed into their users' and items' rows.
std::vector<std::vector<double>> AnalyticBlocks(const DoubleNet& p, const NeuMfGradient<double>& g,
                                                const std::vector<uint32_t>& users,
                                                const std::vector<uint32_t>& items) {
  DoubleNet full;
  full.user_gmf = DoubleNet::Matrix::Zero(p.user_gmf.rows(), p.user_gmf.cols());
  full.item_gmf = DoubleNet::Matrix::Zero(p.item_gmf.rows(), p.item_gmf.cols());
  full.user_mlp = DoubleNet::Matrix::Zero(p.user_mlp.rows(), p.user_mlp.cols());
  full.item_mlp = DoubleNet::Matrix::Zero(p.item_mlp.rows(), p.item_mlp.cols());
  for (size_t s = 0; s < users.size(); ++s) {
    full.user_gmf.row(users[s]) += g.user_gmf.row(s);
    full.user_mlp.row(users[s]) += g.user_mlp.row(s);
    full.item_gmf.row(items[s]) += g.item_gmf.row(s);
    full.item_mlp.row(items[s]) += g.item_mlp.row(s);
  }
  full.weights = g.weights;
  full.biases = g.biases;
  full.out_gmf = g.out_gmf;
  full.out_mlp = g.out_mlp;
  full.out_bias = g.out_bias;
  std::vector<std::vector<double>> out;
  for (auto& [name, pointers] : Blocks(full)) {
    std::vector<double> values;
    for (double* x : pointers) values.push_back(*x);
    out.push_back(values);
  }
  return out;
}

// 3 users, 4 items, 2 GMF factors, MLP 4 (2 + 2) -> 3 -> 2, random parameters.
DoubleNet TinyNetwork() {
  DoubleNet p;
  p.Resize(3, 4, 2, {4, 3, 2});
  std::mt19937_64 rng(5);
  std::normal_distribution<double> normal(0.0, 0.7);
  for (auto& [name, pointers] : Blocks(p)) {
    for (double* x : pointers) *x = normal(rng);
  }
  return p;
}

// Planted structure: 4 groups; user u likes the items of group u % 4 (item i is in group i % 4) and
// used 8 of the 10 at random; one more of them is held out per user.
struct Planted {
  OwnedTrainData train;
  std::vector<uint32_t> held_out;
};

Planted MakePlanted() {
  constexpr uint32_t kUsers = 60, kItems = 40;
  std::mt19937_64 rng(3);
  std::vector<reclift::Triplet> t;
  Planted planted;
  for (uint32_t u = 0; u < kUsers; ++u) {
    std::vector<uint32_t> group;
    for (uint32_t i = u % 4; i < kItems; i += 4) group.push_back(i);
    std::shuffle(group.begin(), group.end(), rng);
    for (int k = 0; k < 8; ++k) t.push_back({u, group[k], 1.f});
    planted.held_out.push_back(group[8]);
  }
  planted.train = OwnedTrainData::FromTriplets(kUsers, kItems, std::span<const reclift::Triplet>(t), false);
  return planted;
}

const std::map<std::string, ParamValue> kSmall = {{"factors", int64_t{8}},
                                                  {"mlp_layers", std::string("16,8")},
                                                  {"learning_rate", 0.01},
                                                  {"batch_size", int64_t{64}}};

std::vector<float> ScoreEveryone(const NcfRecommender& model, uint32_t users, uint32_t items) {
  std::vector<uint32_t> all(users);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<float> out(static_cast<size_t>(users) * items);
  REQUIRE(model.ScoreBatch(all, out).ok());
  return out;
}

}  // namespace

TEST_CASE("ncf backpropagation matches finite differences on every parameter block", "[ncf]") {
  DoubleNet p = TinyNetwork();
  // user 0 and item 1 appear twice: their gradient rows must add up
  const std::vector<uint32_t> users{0, 1, 0, 2, 1}, items{1, 3, 1, 0, 2};
  const std::vector<float> labels{1, 0, 1, 0, 1};
  const double l2 = 0.01, batch = 5;
  NeuMfWorkspace<double> work;
  NeuMfGradient<double> gradient;
  NeuMfObjective<double>(p, users, items, labels, l2, batch, true, work, &gradient);
  const auto analytic = AnalyticBlocks(p, gradient, users, items);

  auto blocks = Blocks(p);
  for (size_t b = 0; b < blocks.size(); ++b) {
    const auto& [name, pointers] = blocks[b];
    double diff2 = 0, analytic2 = 0, numeric2 = 0;
    for (size_t k = 0; k < pointers.size(); ++k) {
      const double saved = *pointers[k], h = 1e-6;
      *pointers[k] = saved + h;
      const double up = NeuMfObjective<double>(p, users, items, labels, l2, batch, true, work, nullptr);
      *pointers[k] = saved - h;
      const double down = NeuMfObjective<double>(p, users, items, labels, l2, batch, true, work, nullptr);
      *pointers[k] = saved;
      const double numeric = (up - down) / (2 * h);
      diff2 += (numeric - analytic[b][k]) * (numeric - analytic[b][k]);
      analytic2 += analytic[b][k] * analytic[b][k];
      numeric2 += numeric * numeric;
    }
    INFO("block " << name);
    REQUIRE(std::max(analytic2, numeric2) > 0);  // every block has some gradient here
    CHECK(std::sqrt(diff2 / std::max(analytic2, numeric2)) < 1e-3);
  }
}

TEST_CASE("ncf objective and gradient of a batch are the sums over its chunks", "[ncf]") {
  DoubleNet p = TinyNetwork();
  const std::vector<uint32_t> users{0, 1, 0, 2, 1}, items{1, 3, 1, 0, 2};
  const std::vector<float> labels{1, 0, 1, 0, 1};
  NeuMfWorkspace<double> work;
  NeuMfGradient<double> whole, first, second;
  const double all = NeuMfObjective<double>(p, users, items, labels, 0.01, 5, true, work, &whole);
  std::span<const uint32_t> u(users), i(items);
  std::span<const float> y(labels);
  // the dense penalty counts once per batch: in the first chunk only
  const double a = NeuMfObjective<double>(p, u.first(2), i.first(2), y.first(2), 0.01, 5, true, work, &first);
  const double b = NeuMfObjective<double>(p, u.last(3), i.last(3), y.last(3), 0.01, 5, false, work, &second);
  CHECK(a + b == Approx(all).epsilon(1e-12));
  first.AddDense(second);
  CHECK(first.weights[0].isApprox(whole.weights[0], 1e-12));
  CHECK(first.out_mlp.isApprox(whole.out_mlp, 1e-12));
  CHECK(first.out_bias == Approx(whole.out_bias).epsilon(1e-12));
  CHECK(
      second.user_gmf.row(0).isApprox(whole.user_gmf.row(2), 1e-12));  // sample 2 is the second chunk's first
}

TEST_CASE("ncf training objective decreases epoch after epoch on planted data", "[ncf]") {
  Planted planted = MakePlanted();
  NcfRecommender model;
  auto given = kSmall;
  given["learning_rate"] = 0.003;  // a smaller step than kSmall's: no overshoot late in training
  REQUIRE(model.Configure(planted.train.view(), MakeParams(given), 42).ok());
  std::vector<double> objective;
  for (int epoch = 0; epoch < 8; ++epoch) objective.push_back(model.RunEpoch(epoch));
  // starts near ln 2 = 0.693 (logits near 0), then falls
  CHECK(objective[0] == Approx(0.6).margin(0.1));
  for (size_t e = 1; e < objective.size(); ++e) {
    INFO("epoch " << e);
    CHECK(objective[e] < objective[e - 1]);
  }
  CHECK(objective.back() < 0.75 * objective.front());
}

TEST_CASE("ncf ranks held-out items of the user's group far above random", "[ncf]") {
  Planted planted = MakePlanted();
  const auto& data = planted.train.view();
  NcfRecommender model;
  auto given = kSmall;
  given["epochs"] = int64_t{30};
  REQUIRE(model.Fit(data, MakeParams(given), Context{}).ok());
  const auto scores = ScoreEveryone(model, data.num_users, data.num_items);
  // AUC of each user's held-out item against the items it has not used (random: 0.5)
  double auc = 0;
  for (uint32_t u = 0; u < data.num_users; ++u) {
    const float* row = scores.data() + static_cast<size_t>(u) * data.num_items;
    const auto seen = data.by_user.RowIndices(u);
    double above = 0, count = 0;
    for (uint32_t j = 0; j < data.num_items; ++j) {
      if (j == planted.held_out[u] || std::binary_search(seen.begin(), seen.end(), j)) continue;
      above += row[planted.held_out[u]] > row[j] ? 1.0 : row[planted.held_out[u]] == row[j] ? 0.5 : 0.0;
      ++count;
    }
    auc += above / count;
  }
  auc /= data.num_users;
  CHECK(auc > 0.8);

  SECTION("Score agrees with ScoreBatch") {
    std::vector<uint32_t> items{39, 0, 7, 7};
    std::vector<float> out(4);
    REQUIRE(model.Score(5, items, out).ok());
    for (size_t j = 0; j < items.size(); ++j) {
      CHECK(out[j] == Approx(scores[5 * data.num_items + items[j]]).epsilon(1e-5).margin(1e-6));
    }
  }
}

TEST_CASE("ncf gives the same model with 1 thread as with 2 under one seed", "[ncf]") {
  Planted planted = MakePlanted();
  const auto& data = planted.train.view();
  auto given = kSmall;
  given["epochs"] = int64_t{3};
  given["batch_size"] = int64_t{300};  // several gradient chunks per batch
  const Params params = MakeParams(given);
  std::vector<float> one, two, other_seed;
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
    NcfRecommender model;
    REQUIRE(model.Fit(data, params, Context{}).ok());
    one = ScoreEveryone(model, data.num_users, data.num_items);
  }
  {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 2);
    NcfRecommender model;
    REQUIRE(model.Fit(data, params, Context{}).ok());
    two = ScoreEveryone(model, data.num_users, data.num_items);
    Context seven;
    seven.seed = 7;
    NcfRecommender reseeded;
    REQUIRE(reseeded.Fit(data, params, seven).ok());
    other_seed = ScoreEveryone(reseeded, data.num_users, data.num_items);
  }
  CHECK(one == two);
  CHECK(one != other_seed);
}

TEST_CASE("ncf refuses malformed mlp_layers with a message", "[ncf]") {
  auto data = OwnedTrainData::FromTriplets(2, 2, {{0, 0, 1.f}});
  NcfRecommender model;
  Status s = model.Fit(data.view(), MakeParams({{"mlp_layers", std::string("63,32")}}), Context{});
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message() ==
        "ncf: parameter 'mlp_layers': give an even embedding size (user and item halves) and at least one "
        "hidden "
        "layer, such as \"64,32,16\"; found \"63,32\"");
  s = model.Fit(data.view(), MakeParams({{"mlp_layers", std::string("64,x")}}), Context{});
  CHECK(
      s.message() ==
      "ncf: parameter 'mlp_layers': expected comma-separated sizes in [1, 4096] such as \"64,32,16\", found "
      "\"64,x\"");
  std::vector<float> out(1);
  CHECK(model.Score(0, std::vector<uint32_t>{0}, out).message() == "ncf: Score called before Fit");
}
