// Full-ranking evaluation speed on the MovieLens-20M shape: every user of a
// 64-factor model ranked against the whole catalogue, seen items excluded,
// top 10 and 20 cut, all ranking metrics computed.
//
//   eval_bench [--users 138000] [--items 27000] [--interactions 20000000]
//              [--factors 64] [--threads 2] [--als-iterations 3]
//
// Prints the time of the bare matrix products (the floor any evaluator pays;
// with Eigen for the baseline ISA and with reclift::DenseScorer)
// and of the whole evaluation, their ratio, and the evaluation's peak memory,
// for a random factor model and then for the als plugin fitted on the data
// (--als-iterations 0 skips it).
#define EIGEN_DONT_PARALLELIZE
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <Eigen/Dense>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "eval/ranker.h"
#include "plugin_host/registry.h"
#include "reclift/dense_scorer.h"
#include "reclift/owned_train_data.h"
#include "runner/arm.h"
#include "runner/cell_data.h"
#include "runner/metric_set.h"
#include "util/memory.h"

using namespace reclift;
using namespace reclift::host;
using Clock = std::chrono::steady_clock;

namespace {

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A factor model that scores blocks of users with one matrix product.
class FactorModel final : public Recommender {
 public:
  FactorModel(uint32_t users, uint32_t items, int factors) {
    std::mt19937 rng(1);
    std::normal_distribution<float> n(0.f, 0.1f);
    U_ = Eigen::MatrixXf::NullaryExpr(users, factors, [&] { return n(rng); });
    V_ = Eigen::MatrixXf::NullaryExpr(items, factors, [&] { return n(rng); });
    Ur_ = U_;
    Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> v = V_;
    scorer_.Reset(v.data(), items, factors, factors);
  }
  bool dense = false;  // DenseScorer instead of Eigen
  Status Fit(const TrainData&, const Params&, const Context&) override { return {}; }
  Status Score(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
    for (size_t j = 0; j < items.size(); ++j) out[j] = U_.row(u).dot(V_.row(items[j]));
    return {};
  }
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override {
    if (dense) {
      const size_t f = Ur_.cols();
      std::vector<float> a(users.size() * f);
      for (size_t i = 0; i < users.size(); ++i) std::copy_n(Ur_.row(users[i]).data(), f, a.data() + i * f);
      scorer_.ScoreRows(a.data(), users.size(), f, {}, out);
      return {};
    }
    Eigen::MatrixXf block(users.size(), U_.cols());
    for (size_t i = 0; i < users.size(); ++i) block.row(i) = U_.row(users[i]);
    // out is row-major users x items: as a column-major items x users matrix it is V * block^T
    Eigen::Map<Eigen::MatrixXf> o(out.data(), V_.rows(), users.size());
    o.noalias() = V_ * block.transpose();
    return {};
  }

 private:
  Eigen::MatrixXf U_, V_;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Ur_;
  DenseScorer scorer_;
};

}  // namespace

int main(int argc, char** argv) {
  uint32_t users = 138000, items = 27000;
  uint64_t interactions = 20000000;
  int factors = 64, threads = 2, als_iterations = 3;
  for (int a = 1; a + 1 < argc; a += 2) {
    if (!std::strcmp(argv[a], "--users")) users = std::stoul(argv[a + 1]);
    if (!std::strcmp(argv[a], "--items")) items = std::stoul(argv[a + 1]);
    if (!std::strcmp(argv[a], "--interactions")) interactions = std::stoull(argv[a + 1]);
    if (!std::strcmp(argv[a], "--factors")) factors = std::stoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--threads")) threads = std::stoi(argv[a + 1]);
    if (!std::strcmp(argv[a], "--als-iterations")) als_iterations = std::stoi(argv[a + 1]);
  }
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(threads);

  // data: long-tailed item popularity, 80% train / 20% test per user
  auto t0 = Clock::now();
  std::vector<double> cdf(items);
  double total = 0;
  for (uint32_t i = 0; i < items; ++i) cdf[i] = total += 1.0 / std::pow(i + 1.0, 0.9);
  Dataset data;
  data.user_ids.resize(users);
  data.item_ids.resize(items);
  for (uint32_t u = 0; u < users; ++u) data.user_ids[u] = std::to_string(u);
  for (uint32_t i = 0; i < items; ++i) data.item_ids[i] = std::to_string(i);
  data.users.reserve(interactions);
  data.items.reserve(interactions);
  std::mt19937_64 rng(7);
  const uint64_t per_user = interactions / users;
  Split split;
  for (uint32_t u = 0; u < users; ++u) {
    for (uint64_t j = 0; j < per_user; ++j) {
      const double x = std::uniform_real_distribution<double>(0, total)(rng);
      const uint32_t item = static_cast<uint32_t>(std::lower_bound(cdf.begin(), cdf.end(), x) - cdf.begin());
      (j % 5 == 4 ? split.test : split.train).push_back(data.users.size());
      data.users.push_back(u);
      data.items.push_back(std::min(item, items - 1));
      data.values.push_back(1.f);
    }
  }
  CellData cell = BuildCellData(data, split);
  std::printf("data: %u users, %u items, %zu train / %zu test interactions (%.1f s to make)\n", users, items,
              split.train.size(), split.test.size(), Since(t0));

  FactorModel model(users, items, factors);
  const TrainData& train = cell.train.view();
  std::vector<uint32_t> ids(cell.users.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = cell.users[i].user;

  // floor: the matrix products alone, same blocks, same threads
  t0 = Clock::now();
  arena.execute([&] {
    const size_t block = 256;
    tbb::parallel_for(size_t{0}, (ids.size() + block - 1) / block, [&](size_t b) {
      const size_t begin = b * block, end = std::min(ids.size(), begin + block);
      std::vector<float> out((end - begin) * items);
      (void)model.ScoreBatch(std::span<const uint32_t>(ids).subspan(begin, end - begin), out);
    });
  });
  const double eigen_gemm = Since(t0);
  std::printf("matrix products only (Eigen, baseline x86-64 code): %.2f s\n", eigen_gemm);
  model.dense = true;
  std::vector<float> check_a(items), check_b(items);
  {
    const uint32_t one[] = {ids[0]};
    model.dense = false;
    (void)model.ScoreBatch(one, check_a);
    model.dense = true;
    (void)model.ScoreBatch(one, check_b);
    double worst = 0;
    for (uint32_t i = 0; i < items; ++i) worst = std::max(worst, double(std::abs(check_a[i] - check_b[i])));
    std::printf("DenseScorer vs Eigen: largest difference %.2e\n", worst);
  }
  t0 = Clock::now();
  arena.execute([&] {
    const size_t block = 256;
    tbb::parallel_for(size_t{0}, (ids.size() + block - 1) / block, [&](size_t b) {
      const size_t begin = b * block, end = std::min(ids.size(), begin + block);
      std::vector<float> out((end - begin) * items);
      (void)model.ScoreBatch(std::span<const uint32_t>(ids).subspan(begin, end - begin), out);
    });
  });
  const double gemm = Since(t0);
  std::printf("matrix products only (DenseScorer, %s kernel): %.2f s\n", DenseScorer::KernelName(), gemm);

  // the whole evaluation: rank (top 20, seen removed) + all ranking metrics at 10 and 20
  PluginRegistry registry;
  registry.LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
  EvaluationSpec es;
  es.ks = {10, 20};
  const MetricSet metrics(registry, es, users, items, cell.item_popularity, &train.item_features);
  // ranking (top 20, seen removed) + every metric at 10 and 20 of one model
  auto evaluate = [&](const Recommender& m, const char* label, double floor) {
    const size_t rss0 = CurrentRssBytes();
    ResetPeakRss();
    auto t0 = Clock::now();
    std::vector<std::vector<uint32_t>> lists;
    RankerOptions ro;
    ro.k = 20;
    Status s = arena.execute([&] { return RankUsers(m, kCapScoreBatch, train, ids, ro, lists); });
    const double rank = Since(t0);
    RankedLists ranked{std::move(lists), std::vector<std::vector<float>>(ids.size())};
    std::vector<double> values, list_values;
    auto t1 = Clock::now();
    if (s.ok()) s = metrics.Evaluate(EvalInputs(cell.users, ranked), arena, values, list_values);
    const double metric_time = Since(t1), all = Since(t0);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: failed: %s\n", label, s.ToString().c_str());
      std::exit(1);
    }
    double ndcg = 0;
    size_t n = 0;
    for (size_t u = 0; u < ids.size(); ++u) {
      const double v = values[u * metrics.size() + 2];  // ndcg@10 (precision, recall, ndcg per k)
      if (!std::isnan(v)) ndcg += v, ++n;
    }
    const size_t peak = PeakRssBytes();
    std::printf("%s: evaluation %.2f s (ranking %.2f s, metrics %.2f s) for %zu users, %zu columns\n", label,
                all, rank, metric_time, ids.size(), metrics.size());
    std::printf("%s: ratio to the bare matrix products: %.2f (DenseScorer), %.2f (Eigen)\n", label,
                all / floor, all / eigen_gemm);
    std::printf("%s: peak memory of the evaluation: %.0f MB above the %.0f MB resident before it\n", label,
                (peak > rss0 ? peak - rss0 : 0) / 1e6, rss0 / 1e6);
    std::printf("%s: ndcg@10 = %.4f over %zu users\n", label, ndcg / std::max<size_t>(n, 1), n);
  };
  evaluate(model, "random 64-factor model", gemm);

  // the same with the als plugin, fitted as a run fits it
  if (als_iterations > 0) {
    ArmSpec spec;
    spec.name = "als";
    spec.recommender.plugin = "als";
    spec.recommender.params = {{"factors", ParamValue(int64_t{factors})},
                               {"iterations", ParamValue(int64_t{als_iterations})}};
    Context ctx;
    ctx.num_threads = threads;
    t0 = Clock::now();
    FittedArm als = FitArm(registry, spec, train, ctx, arena);
    std::printf("als plugin: fitted in %.1f s (%d iterations)\n", Since(t0), als_iterations);
    evaluate(*als.model, "als plugin", gemm);
  }
  return 0;
}
