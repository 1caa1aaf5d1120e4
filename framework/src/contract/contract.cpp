#include "contract/contract.h"

#include <tbb/global_control.h>

#include <cmath>
#include <numeric>
#include <random>
#include <set>

#include "eval/ranker.h"
#include "plugin_host/registry.h"
#include "reclift/owned_train_data.h"
#include "util/error.h"

namespace reclift::host {
namespace {

constexpr uint32_t kUsers = 60;
constexpr uint32_t kItems = 40;

// A small dataset with every feature a plugin may use: ratings 1-5,
// timestamps, categories and tags, and users and items with no interaction.
OwnedTrainData ContractData(bool empty) {
  std::vector<Triplet> t;
  std::mt19937_64 rng(7);
  if (!empty) {
    for (uint32_t u = 0; u + 2 < kUsers; ++u) {  // the last two users are cold
      const int n = 2 + static_cast<int>(rng() % 9);
      for (int j = 0; j < n; ++j) {
        // users prefer items of their own group; the last 3 items are cold
        const uint32_t group = u % 4;
        uint32_t item = static_cast<uint32_t>((group * 9 + rng() % 12) % (kItems - 3));
        t.push_back({u, item, static_cast<float>(1 + rng() % 5),
                     1'600'000'000 + static_cast<int64_t>(rng() % 10'000'000)});
      }
    }
  }
  OwnedTrainData d = OwnedTrainData::FromTriplets(kUsers, kItems, std::span<const Triplet>(t), true);
  OwnedItemFeatures f;
  std::vector<uint32_t> rows, cats, tag_rows, tags;
  for (uint32_t i = 0; i < kItems; ++i) {
    rows.push_back(i);
    cats.push_back(i % 5);
    tag_rows.push_back(i);
    tags.push_back(i % 7);
    tag_rows.push_back(i);
    tags.push_back(7 + i % 3);
  }
  f.categories = OwnedSparse::Build(kItems, rows, cats, {}, {});
  f.category_names = {"programming", "design", "finance", "languages", "music"};
  f.tags = OwnedSparse::Build(kItems, tag_rows, tags, {}, {});
  for (int i = 0; i < 10; ++i) f.tag_names.push_back("tag" + std::to_string(i));
  f.numeric_names = {"price", "difficulty"};
  for (uint32_t i = 0; i < kItems; ++i) {
    f.numeric.push_back(static_cast<float>(10 + i));
    f.numeric.push_back(static_cast<float>(i % 3));
    f.text.push_back("item " + std::to_string(i) + " about " + f.category_names[i % 5]);
  }
  d.SetItemFeatures(std::move(f));
  return d;
}

class Checks {
 public:
  void Add(const std::string& name, bool ok, const std::string& detail = "") {
    checks_.push_back({name, ok, ok ? "" : detail});
  }
  std::vector<ContractCheck> Take() { return std::move(checks_); }

 private:
  std::vector<ContractCheck> checks_;
};

std::string FirstNonFinite(std::span<const float> v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) return "value " + std::to_string(v[i]) + " at position " + std::to_string(i);
  }
  return "";
}

// Parameter sets at each numeric parameter's declared bounds (the others at
// their defaults). Huge upper bounds are skipped: they test time, not safety.
std::vector<std::pair<std::string, std::map<std::string, ParamValue>>> BoundaryParams(
    const PluginInfo& info) {
  std::vector<std::pair<std::string, std::map<std::string, ParamValue>>> out;
  for (const auto& spec : info.param_specs()) {
    for (double bound : {spec.min, spec.max}) {
      if (!std::isfinite(bound) || std::abs(bound) > 1000) continue;
      ParamValue v;
      if (spec.type == ParamType::kInt) {
        v = static_cast<int64_t>(bound);
      } else if (spec.type == ParamType::kFloat) {
        v = bound;
      } else {
        continue;
      }
      out.push_back({std::string(spec.name) + "=" + ParamValueToString(v), {{spec.name, v}}});
    }
  }
  return out;
}

// Two simple children the contract hands a composite recommender: item
// popularity, and a score that favours the user's own item-id neighbourhood.
class PopularityChild final : public Recommender {
 public:
  Status Fit(const TrainData& d, const Params&, const Context&) override {
    data_ = &d;
    return {};
  }
  Status Score(uint32_t, std::span<const uint32_t> items, std::span<float> out) const override {
    for (size_t j = 0; j < items.size(); ++j) out[j] = static_cast<float>(data_->by_item.RowSize(items[j]));
    return {};
  }

 private:
  const TrainData* data_ = nullptr;
};

class NeighbourChild final : public Recommender {
 public:
  Status Fit(const TrainData& d, const Params&, const Context&) override {
    data_ = &d;
    return {};
  }
  Status Score(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
    for (size_t j = 0; j < items.size(); ++j) {
      float s = 0;
      for (uint32_t i : data_->by_user.RowIndices(u)) s += 1.f / (1.f + std::abs(float(i) - float(items[j])));
      out[j] = s;
    }
    return {};
  }

 private:
  const TrainData* data_ = nullptr;
};

struct ContractChildren {
  PopularityChild popularity;
  NeighbourChild neighbour;
  std::vector<ChildRecommender> list;
  explicit ContractChildren(const TrainData& data) {
    popularity.Fit(data, Params{}, Context{});
    neighbour.Fit(data, Params{}, Context{});
    list = {{&neighbour, 0, "contract_neighbour"}, {&popularity, 0, "contract_popularity"}};
  }
};

// Fits and scores every user on every item; "" when fine, else the problem.
std::string FitAndScore(const PluginRegistry& reg, const PluginInfo& info, const TrainData& data,
                        const Params& params, uint64_t seed, std::vector<float>& scores, Status* fit_status) {
  RecommenderHandle model = reg.CreateRecommender(info.name);
  Context ctx;
  ctx.seed = seed;
  ContractChildren children(data);
  Status s;
  if (info.capabilities & kCapComposite) s = model->SetChildren(children.list);
  if (s.ok()) s = model->Fit(data, params, ctx);
  if (fit_status != nullptr) *fit_status = s;
  if (!s.ok()) return "Fit: " + s.ToString();
  std::vector<uint32_t> items(data.num_items);
  std::iota(items.begin(), items.end(), 0u);
  scores.assign(static_cast<size_t>(data.num_users) * data.num_items, 0.f);
  for (uint32_t u = 0; u < data.num_users; ++u) {
    s = model->Score(
        u, items, std::span<float>(scores).subspan(static_cast<size_t>(u) * data.num_items, data.num_items));
    if (!s.ok()) return "Score(user " + std::to_string(u) + "): " + s.ToString();
  }
  std::string bad = FirstNonFinite(scores);
  return bad.empty() ? "" : "non-finite score: " + bad;
}

void CheckRecommender(const PluginRegistry& reg, const PluginInfo& info, Checks& checks) {
  const OwnedTrainData owned = ContractData(false);
  const TrainData& data = owned.view();
  Params defaults;
  Status ps = Params::Build(info.param_specs(), {}, defaults);
  checks.Add("default parameters build", ps.ok(), ps.ToString());
  if (!ps.ok()) return;

  std::vector<float> a, b;
  Status fit;
  std::string problem = FitAndScore(reg, info, data, defaults, 42, a, &fit);
  checks.Add("fits with default parameters and scores every item with finite values", problem.empty(),
             problem);
  if (!problem.empty()) return;

  problem = FitAndScore(reg, info, data, defaults, 42, b, nullptr);
  size_t diffs = 0;
  for (size_t i = 0; problem.empty() && i < a.size(); ++i) diffs += (a[i] != b[i]);
  checks.Add("deterministic: the same seed gives the same scores", problem.empty() && diffs == 0,
             problem.empty() ? std::to_string(diffs) + " of " + std::to_string(a.size()) + " scores differ"
                             : problem);
  {
    // the same seed under 1 thread gives the same scores as under several
    tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
    problem = FitAndScore(reg, info, data, defaults, 42, b, nullptr);
  }
  diffs = 0;
  for (size_t i = 0; problem.empty() && i < a.size(); ++i) diffs += (a[i] != b[i]);
  checks.Add("deterministic: 1 thread gives the same scores as many", problem.empty() && diffs == 0,
             problem.empty() ? std::to_string(diffs) + " scores differ" : problem);

  RecommenderHandle model = reg.CreateRecommender(info.name);
  Context ctx;
  ctx.seed = 42;
  ContractChildren children(data);
  if (info.capabilities & kCapComposite) (void)model->SetChildren(children.list);
  (void)model->Fit(data, defaults, ctx);
  std::vector<uint32_t> users(data.num_users);
  std::iota(users.begin(), users.end(), 0u);

  if (info.capabilities & kCapScoreBatch) {
    std::vector<float> batch(a.size());
    Status s = model->ScoreBatch(users, batch);
    double worst = 0;
    for (size_t i = 0; s.ok() && i < a.size(); ++i) {
      worst = std::max(worst, std::abs(double(batch[i]) - a[i]) / std::max(1.0, std::abs(double(a[i]))));
    }
    checks.Add("ScoreBatch agrees with Score", s.ok() && worst < 1e-4,
               s.ok() ? "largest relative difference " + std::to_string(worst) : s.ToString());
  } else {
    std::vector<float> batch(a.size());
    Status s = model->ScoreBatch(users, batch);
    checks.Add("ScoreBatch without the capability says not supported", s.not_supported(), s.ToString());
  }
  if (info.capabilities & kCapPredict) {
    std::vector<uint32_t> items(data.num_items);
    std::iota(items.begin(), items.end(), 0u);
    std::vector<float> pred(items.size());
    Status s = model->Predict(3, items, pred);
    std::string bad = s.ok() ? FirstNonFinite(pred) : s.ToString();
    checks.Add("Predict gives finite ratings", bad.empty(), bad);
  }
  if (info.capabilities & kCapScoreHistory) {
    const uint32_t hist[] = {1, 2, 5};
    const float vals[] = {5, 4, 3};
    std::vector<uint32_t> items(data.num_items);
    std::iota(items.begin(), items.end(), 0u);
    std::vector<float> out(items.size());
    Status s = model->ScoreHistory(hist, vals, items, out);
    std::string bad = s.ok() ? FirstNonFinite(out) : s.ToString();
    checks.Add("ScoreHistory (fold-in) gives finite scores", bad.empty(), bad);
  }

  // the host's ranking with this plugin never returns a training item
  std::vector<std::vector<uint32_t>> lists;
  RankerOptions ro;
  ro.k = 10;
  ro.block_users = 7;
  Status rs = RankUsers(*model, info.capabilities, data, users, ro, lists);
  std::string leak;
  for (uint32_t u = 0; rs.ok() && u < data.num_users && leak.empty(); ++u) {
    auto seen = data.by_user.RowIndices(u);
    std::set<uint32_t> distinct(lists[u].begin(), lists[u].end());
    if (distinct.size() != lists[u].size()) leak = "user " + std::to_string(u) + " has a repeated item";
    for (uint32_t item : lists[u]) {
      if (std::binary_search(seen.begin(), seen.end(), item)) {
        leak = "user " + std::to_string(u) + " got training item " + std::to_string(item);
      }
    }
  }
  checks.Add("ranking never recommends training items or repeats", rs.ok() && leak.empty(),
             rs.ok() ? leak : rs.ToString());

  // parameters at their declared bounds: a Status, never a crash or NaN
  for (const auto& [label, given] : BoundaryParams(info)) {
    Params p;
    Status s = Params::Build(info.param_specs(), given, p);
    if (!s.ok()) {
      checks.Add("boundary " + label + " builds", false, s.ToString());
      continue;
    }
    std::vector<float> scores;
    Status fs;
    std::string why = FitAndScore(reg, info, data, p, 42, scores, &fs);
    // refusing a bound with a clear InvalidArgument is allowed
    const bool ok =
        why.empty() || (!fs.ok() && fs.code() == StatusCode::kInvalidArgument && !fs.message().empty());
    checks.Add("boundary " + label + ": fits and scores finitely, or refuses with a message", ok, why);
  }

  // an empty training set: a Status (ok or not), never a crash; if ok, finite
  {
    const OwnedTrainData empty = ContractData(true);
    std::vector<float> scores;
    Status fs;
    std::string why = FitAndScore(reg, info, empty.view(), defaults, 42, scores, &fs);
    const bool ok = why.empty() || (!fs.ok() && !fs.message().empty());
    checks.Add("empty training data: fits or refuses with a message", ok, why);
  }
}

void CheckProfiler(const PluginRegistry& reg, const PluginInfo& info, Checks& checks) {
  const OwnedTrainData owned = ContractData(false);
  Params params;
  Status ps = Params::Build(info.param_specs(), {}, params);
  checks.Add("default parameters build", ps.ok(), ps.ToString());
  if (!ps.ok()) return;
  std::vector<uint32_t> first;
  for (int run = 0; run < 2; ++run) {
    ProfilerHandle p = reg.CreateProfiler(info.name);
    Context ctx;
    Status s = p->Fit(owned.view(), params, ctx);
    std::vector<std::string> names;
    std::vector<uint32_t> seg(owned.view().num_users, UINT32_MAX);
    if (s.ok()) s = p->Segments(names, seg);
    std::string bad;
    if (!s.ok()) bad = s.ToString();
    if (bad.empty() && names.empty()) bad = "no segment names";
    for (size_t u = 0; bad.empty() && u < seg.size(); ++u) {
      if (seg[u] >= names.size()) bad = "user " + std::to_string(u) + " has no valid segment";
    }
    if (run == 0) {
      checks.Add("every user (cold ones too) gets a valid segment", bad.empty(), bad);
      first = seg;
    } else {
      checks.Add("segments are deterministic", bad.empty() && seg == first, bad);
    }
  }
}

void CheckEvaluator(const PluginRegistry& reg, const PluginInfo& info, Checks& checks) {
  const OwnedTrainData owned = ContractData(false);
  Params params;
  Status ps = Params::Build(info.param_specs(), {}, params);
  checks.Add("default parameters build", ps.ok(), ps.ToString());
  if (!ps.ok()) return;
  const int ks[] = {1, 5, 10};
  std::vector<float> popularity(kItems);
  for (uint32_t i = 0; i < kItems; ++i) popularity[i] = static_cast<float>(owned.view().by_item.RowSize(i));
  const ItemFeaturesView features = owned.view().item_features;
  EvalContext ec{kItems, kUsers, ks, popularity, &features};
  std::vector<double> first;
  for (int run = 0; run < 2; ++run) {
    EvaluatorHandle e = reg.CreateEvaluator(info.name);
    Status s = e->Configure(params, ec);
    auto cols = e->Columns();
    std::set<std::string> names;
    for (auto& c : cols) names.insert(c.name);
    std::string bad = s.ok() ? "" : s.ToString();
    if (bad.empty() && cols.empty()) bad = "no columns";
    if (bad.empty() && names.size() != cols.size()) bad = "duplicate column names";
    // three users: a perfect list, a list with no hit, an empty list
    const uint32_t ranked_a[] = {1, 2, 3, 4, 5}, ranked_b[] = {10, 11, 12};
    const uint32_t rel[] = {1, 2, 7};
    const float gain[] = {5, 4, 3};
    std::vector<UserEvalInput> inputs(3);
    for (auto& in : inputs) {
      in.relevant = rel;
      in.relevant_gain = gain;
      in.test_items = rel;
      in.test_values = gain;
    }
    inputs[0].ranked = ranked_a;
    inputs[1].ranked = ranked_b;
    std::vector<double> all;
    for (const auto& in : inputs) {
      std::vector<double> out(cols.size(), std::nan(""));
      Status es = e->EvaluateUser(in, out);
      if (bad.empty() && !es.ok()) bad = "EvaluateUser: " + es.ToString();
      for (double v : out) {
        if (bad.empty() && std::isinf(v)) bad = "infinite metric value";
      }
      all.insert(all.end(), out.begin(), out.end());
    }
    std::vector<double> lists(cols.size(), std::nan(""));
    Status ls = e->EvaluateLists(inputs, lists);
    if (bad.empty() && !ls.ok()) bad = "EvaluateLists: " + ls.ToString();
    all.insert(all.end(), lists.begin(), lists.end());
    if (run == 0) {
      checks.Add("declares unique columns and gives finite or NaN values", bad.empty(), bad);
      first = all;
    } else {
      bool same = first.size() == all.size();
      for (size_t i = 0; same && i < all.size(); ++i) {
        same = (std::isnan(first[i]) && std::isnan(all[i])) || first[i] == all[i];
      }
      checks.Add("values are deterministic", same, "values differ between two runs");
    }
  }
}

// Logs where the target policy is the logging policy, every reward is 1 and
// the reward model is exact: every estimator must then give the slate size.
void CheckEstimator(const PluginRegistry& reg, const PluginInfo& info, Checks& checks) {
  Params params;
  Status ps = Params::Build(info.param_specs(), {}, params);
  checks.Add("default parameters build", ps.ok(), ps.ToString());
  if (!ps.ok()) return;
  constexpr uint32_t kRounds = 40, kSlate = 3;
  constexpr size_t kCells = static_cast<size_t>(kRounds) * kSlate;
  std::vector<uint8_t> shown(kCells, 1);
  std::vector<double> ones(kCells, 1.0), marginal(kCells), prefix(kCells);
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0.05, 0.9);
  for (uint32_t r = 0; r < kRounds; ++r) {
    double p = 1;
    for (uint32_t k = 0; k < kSlate; ++k) {
      marginal[r * kSlate + k] = unit(rng);
      p *= unit(rng);
      prefix[r * kSlate + k] = p;
    }
  }
  LoggedFeedbackView view;
  view.num_rounds = kRounds;
  view.slate_size = kSlate;
  view.shown = shown;
  view.reward = ones;
  view.logging_propensity = marginal;
  view.target_propensity = marginal;
  view.logging_prefix_propensity = prefix;
  view.target_prefix_propensity = prefix;
  view.reward_hat = ones;
  view.target_reward_hat = ones;
  const EstimatorContext ctx{kSlate, true, true};
  std::vector<double> first;
  for (int run = 0; run < 2; ++run) {
    EstimatorHandle e = reg.CreateEstimator(info.name);
    Status s = e->Configure(params, ctx);
    std::string bad = s.ok() ? "" : "Configure: " + s.ToString();
    const uint32_t c = s.ok() ? e->NumComponents() : 0;
    if (bad.empty() && c != 1 && c != kSlate)
      bad = "NumComponents() is " + std::to_string(c) + ", not 1 or K";
    std::vector<double> num(kRounds * static_cast<size_t>(c)), den(num.size());
    if (bad.empty()) {
      Status ts = e->Terms(view, num, den);
      if (!ts.ok()) bad = "Terms: " + ts.ToString();
    }
    double value = 0;
    for (uint32_t j = 0; bad.empty() && j < c; ++j) {
      double n = 0, d = 0;
      for (uint32_t r = 0; r < kRounds; ++r) n += num[r * c + j], d += den[r * c + j];
      if (!std::isfinite(n) || !std::isfinite(d) || d == 0) bad = "non-finite or zero-denominator terms";
      value += n / d;
    }
    if (run == 0) {
      const bool right = bad.empty() && std::abs(value - kSlate) < 1e-9;
      if (bad.empty() && !right)
        bad = "estimated " + std::to_string(value) + ", expected " + std::to_string(kSlate);
      checks.Add("on-policy logs with reward 1 everywhere estimate the slate size", right, bad);
      first = num;
      first.insert(first.end(), den.begin(), den.end());
    } else {
      num.insert(num.end(), den.begin(), den.end());
      checks.Add("terms are deterministic", bad.empty() && num == first, bad.empty() ? "terms differ" : bad);
    }
  }
  if (info.capabilities & (kEstNeedsRewardModel | kEstNeedsPrefixPropensity)) {
    EstimatorHandle e = reg.CreateEstimator(info.name);
    const EstimatorContext bare{kSlate, false, false};
    Status s = e->Configure(params, bare);
    checks.Add("refuses a context without what it declares it needs", !s.ok(), "Configure accepted it");
  }
}

void CheckParameterValidation(const PluginInfo& info, Checks& checks) {
  for (const auto& spec : info.param_specs()) {
    Params p;
    // a value of the wrong type is refused with a message naming the parameter
    ParamValue wrong =
        spec.type == ParamType::kString ? ParamValue(int64_t{3}) : ParamValue(std::string("x"));
    Status s = Params::Build(info.param_specs(), {{spec.name, wrong}}, p);
    checks.Add(std::string("parameter '") + spec.name + "' refuses a wrong type",
               !s.ok() && s.message().find(spec.name) != std::string::npos, s.ToString());
    if (spec.type == ParamType::kInt || spec.type == ParamType::kFloat) {
      if (std::isfinite(spec.max)) {
        ParamValue over = spec.type == ParamType::kInt ? ParamValue(static_cast<int64_t>(spec.max) + 1)
                                                       : ParamValue(spec.max + 1.0 + std::abs(spec.max));
        s = Params::Build(info.param_specs(), {{spec.name, over}}, p);
        checks.Add(std::string("parameter '") + spec.name + "' refuses a value above its maximum", !s.ok(),
                   "accepted " + ParamValueToString(over));
      }
    }
  }
  Params p;
  Status s = Params::Build(info.param_specs(), {{"no_such_parameter_xyz", int64_t{1}}}, p);
  checks.Add("an unknown parameter is refused", !s.ok(), "accepted");
}

}  // namespace

std::vector<ContractCheck> RunContract(const std::filesystem::path& plugin_file) {
  Checks checks;
  PluginRegistry reg;
  const LoadedPlugin* loaded = nullptr;
  try {
    loaded = &reg.LoadFile(plugin_file);
    checks.Add("loads, ABI matches, info is complete", true);
  } catch (const std::exception& e) {
    checks.Add("loads, ABI matches, info is complete", false, e.what());
    return checks.Take();
  }
  const PluginInfo& info = *loaded->info;
  CheckParameterValidation(info, checks);
  try {
    switch (info.kind) {
      case PluginKind::kRecommender: CheckRecommender(reg, info, checks); break;
      case PluginKind::kProfiler: CheckProfiler(reg, info, checks); break;
      case PluginKind::kEvaluator: CheckEvaluator(reg, info, checks); break;
      case PluginKind::kEstimator: CheckEstimator(reg, info, checks); break;
    }
  } catch (const std::exception& e) {
    checks.Add("no host-side error while checking", false, e.what());
  }
  return checks.Take();
}

}  // namespace reclift::host
