// Benchmarks of the neighbourhood plugins (item_knn, user_knn):
//
//   speed: item_knn's similarity computation with top-100 neighbours on the
//          MovieLens-20M-shaped synthetic data (138k users, 27k items, 20M
//          interactions), its time and peak memory, and batch scoring speed;
//   topn:  ndcg@10 / recall@10 of item_knn and user_knn variants and of
//          popularity on a per-user 80/20 holdout of the synthetic ml-100k and
//          ml-1m presets (bench/als_bench.cpp's protocol);
//   rmse:  Surprise's 5-fold cross-validated RMSE / MAE protocol for KNNBasic,
//          KNNWithMeans, KNNBaseline (and the global-mean and BaselineOnly
//          references) on the synthetic "ml-100k" preset, or on MovieLens'
//          own u.data when given its path.
//
//   item_knn_bench [--speed] [--rmse] [--topn] [--threads N] [--preset ml-20m]
//                  [--similarity cosine_full] [--top 100] [--udata PATH]
//
// With none of --speed, --rmse, --topn all three run. Run it with `nice` on a shared
// machine; figures include whatever else the machine was doing.
#include <sys/resource.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "../plugins/recommenders/item_knn/item_knn_model.cpp"
#include "../plugins/recommenders/item_knn/knn_common.cpp"
#include "../plugins/recommenders/user_knn/user_knn_model.cpp"
#include "data/synth.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Status;
using reclift::recommenders::ItemKnnRecommender;
using reclift::recommenders::UserKnnRecommender;
namespace knn = reclift::recommenders::knn;
using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds used by the whole process so far (user + system): unlike wall
// time, it does not grow when other programs share the cores.
double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

// A field of /proc/self/status in MiB (VmHWM: peak resident memory, VmRSS: current).
double StatusMiB(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(field);
  while (std::getline(in, line)) {
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':') {
      return std::stod(line.substr(n + 1)) / 1024.0;  // the kernel reports kB
    }
  }
  return -1;
}

// Resets VmHWM to the current RSS (Linux >= 4.0), so that the next peak is
// the peak of what follows alone.
bool ResetPeakMemory() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  return static_cast<bool>(out.flush());
}

struct Ratings {
  uint32_t num_users = 0, num_items = 0;
  std::vector<uint32_t> users, items;
  std::vector<float> values;
  std::string name;
};

Ratings FromSynthetic(const std::string& preset, uint64_t seed) {
  reclift::host::SynthOptions o;
  o.preset = preset;
  o.seed = seed;
  reclift::host::Dataset d = reclift::host::GenerateSynthetic(o);
  Ratings r;
  r.num_users = d.num_users();
  r.num_items = d.num_items();
  r.users = std::move(d.users);
  r.items = std::move(d.items);
  r.values = std::move(d.values);
  r.name = d.name;
  return r;
}

// MovieLens-100K's u.data: user \t item \t rating \t timestamp, ids from 1.
Ratings FromUData(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  Ratings r;
  r.name = path;
  std::unordered_map<std::string, uint32_t> user_ids, item_ids;
  std::string line, user, item;
  double rating = 0;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    if (!(fields >> user >> item >> rating)) {
      throw std::runtime_error(path + ":" + std::to_string(line_number) +
                               ": expected user item rating, found '" + line + "'");
    }
    auto [u, new_user] = user_ids.try_emplace(user, static_cast<uint32_t>(user_ids.size()));
    auto [i, new_item] = item_ids.try_emplace(item, static_cast<uint32_t>(item_ids.size()));
    r.users.push_back(u->second);
    r.items.push_back(i->second);
    r.values.push_back(static_cast<float>(rating));
  }
  r.num_users = static_cast<uint32_t>(user_ids.size());
  r.num_items = static_cast<uint32_t>(item_ids.size());
  return r;
}

Params BuildParams(std::span<const reclift::ParamSpec> specs, std::map<std::string, ParamValue> given) {
  Params p;
  const Status s = Params::Build(specs, given, p);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  return p;
}

void Speed(const std::string& preset, int threads, const std::string& similarity, int64_t top) {
  tbb::task_arena arena(threads);
  std::printf("== item_knn similarity speed: preset %s, %d threads, similarity %s, top_neighbours %lld\n",
              preset.c_str(), threads, similarity.c_str(), static_cast<long long>(top));
  auto t0 = Clock::now();
  Ratings r = arena.execute([&] { return FromSynthetic(preset, 42); });
  std::printf("generated %u users x %u items, %zu interactions in %.1f s\n", r.num_users, r.num_items,
              r.users.size(), Seconds(t0));
  t0 = Clock::now();
  OwnedTrainData data =
      OwnedTrainData::Build(r.num_users, r.num_items, r.users, r.items, r.values, {}, /*explicit=*/true);
  r = Ratings{};  // keep only the training matrix
  std::printf("train matrix (CSR + CSC) built in %.1f s: %.0f MiB\n", Seconds(t0),
              data.MemoryBytes() / 1048576.0);
  // The work of the similarity pass: every pair of items co-rated by a user, once per direction.
  double pair_steps = 0;
  for (uint32_t u = 0; u < data.view().num_users; ++u) {
    const double n = static_cast<double>(data.view().by_user.RowSize(u));
    pair_steps += n * n;
  }
  std::printf("sum over users of |I_u|^2 = %.3g accumulation steps\n", pair_steps);

  const Params params = BuildParams(reclift::recommenders::kItemKnnParams,
                                    {{"similarity", similarity}, {"top_neighbours", top}});
  const double rss_before = StatusMiB("VmRSS");
  const bool reset = ResetPeakMemory();
  ItemKnnRecommender model;
  t0 = Clock::now();
  const double cpu0 = CpuSeconds();
  const Status s = arena.execute([&] { return model.Fit(data.view(), params, Context{}); });
  const double fit_seconds = Seconds(t0), fit_cpu = CpuSeconds() - cpu0;
  if (!s.ok()) throw std::runtime_error("fit: " + s.ToString());
  const double peak = StatusMiB("VmHWM");
  std::printf(
      "FIT: %.1f s wall, %.1f s CPU (%.2f CPU ns per accumulation step); wall with the %d threads "
      "uncontended would be ~%.1f s\n",
      fit_seconds, fit_cpu, fit_cpu * 1e9 / pair_steps, threads, fit_cpu / threads);
  std::printf("neighbour lists: %zu entries, forward %.1f MiB\n", model.neighbours().entries.size(),
              model.neighbours().MemoryBytes() / 1048576.0);
  std::printf("memory: RSS before fit %.0f MiB, peak during fit %.0f MiB%s (+%.0f MiB)\n", rss_before, peak,
              reset ? "" : " (process peak: clear_refs unavailable)", peak - rss_before);

  // Batch scoring as the host does it: blocks of users, all items, in parallel.
  const uint32_t scored_users = std::min<uint32_t>(20000, data.view().num_users);
  const size_t block = 256, num_items = data.view().num_items;
  std::vector<uint32_t> users(scored_users);
  std::iota(users.begin(), users.end(), 0u);
  t0 = Clock::now();
  std::atomic<double> checksum{0};
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, (users.size() + block - 1) / block, [&](size_t b) {
      const size_t begin = b * block, end = std::min(users.size(), begin + block);
      std::vector<float> out((end - begin) * num_items);
      if (!model.ScoreBatch(std::span<const uint32_t>(users).subspan(begin, end - begin), out).ok()) return;
      double sum = 0;
      for (float v : out) sum += v;
      checksum.fetch_add(sum);
    });
  });
  const double score_seconds = Seconds(t0);
  std::printf("SCORE: %u users x %zu items by ScoreBatch in %.2f s (%.0f users/s; checksum %.6g)\n",
              scored_users, num_items, score_seconds, scored_users / score_seconds, checksum.load());
}

struct Algorithm {
  std::string label;
  bool user_based;
  std::map<std::string, ParamValue> params;  // empty label "global mean" / "baseline only" handled apart
};

void Rmse(const Ratings& r, int threads, uint64_t seed) {
  tbb::task_arena arena(threads);
  std::printf("\n== 5-fold RMSE / MAE (Surprise's protocol: shuffled KFold, clipped estimates): %s\n",
              r.name.c_str());
  std::printf("%u users, %u items, %zu ratings\n", r.num_users, r.num_items, r.users.size());
  // Surprise's KFold: shuffle the ratings, cut them into 5 consecutive parts
  std::vector<size_t> order(r.users.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  const int folds = 5;

  const std::vector<Algorithm> algorithms = {
      {"GlobalMean", false, {}},
      {"BaselineOnly (ALS)", false, {}},
      {"KNNBasic user msd (Surprise default)", true, {{"similarity", "msd"}, {"top_neighbours", int64_t{0}}}},
      {"KNNWithMeans user msd",
       true,
       {{"similarity", "msd"}, {"prediction", "means"}, {"top_neighbours", int64_t{0}}}},
      {"KNNBaseline user msd (Surprise default)",
       true,
       {{"similarity", "msd"}, {"prediction", "baseline"}, {"top_neighbours", int64_t{0}}}},
      {"KNNBaseline user pearson_baseline",
       true,
       {{"similarity", "pearson_baseline"}, {"prediction", "baseline"}, {"top_neighbours", int64_t{0}}}},
      {"KNNBasic item msd", false, {{"similarity", "msd"}, {"top_neighbours", int64_t{0}}}},
      {"KNNBaseline item pearson_baseline",
       false,
       {{"similarity", "pearson_baseline"}, {"prediction", "baseline"}, {"top_neighbours", int64_t{0}}}},
      {"KNNBaseline item pearson_baseline top100",
       false,
       {{"similarity", "pearson_baseline"}, {"prediction", "baseline"}, {"top_neighbours", int64_t{100}}}},
      {"KNNBasic user msd top100 (plugin default pruning)", true, {{"similarity", "msd"}}},
      {"KNNBasic item cosine_full (item_knn defaults)", false, {}},
  };
  std::printf("%-52s %8s %8s %8s\n", "algorithm", "RMSE", "MAE", "fit s");
  for (const Algorithm& algo : algorithms) {
    double sq = 0, abs = 0, fit_seconds = 0;
    size_t count = 0;
    for (int f = 0; f < folds; ++f) {
      const size_t begin = order.size() * f / folds, end = order.size() * (f + 1) / folds;
      std::vector<uint32_t> tu, ti;
      std::vector<float> tv;
      for (size_t p = 0; p < order.size(); ++p) {
        if (p >= begin && p < end) continue;
        tu.push_back(r.users[order[p]]);
        ti.push_back(r.items[order[p]]);
        tv.push_back(r.values[order[p]]);
      }
      OwnedTrainData train = OwnedTrainData::Build(r.num_users, r.num_items, tu, ti, tv, {}, true);
      const reclift::TrainData& d = train.view();
      std::vector<double> predictions(end - begin);
      auto t0 = Clock::now();
      if (algo.label == "GlobalMean" || algo.label == "BaselineOnly (ALS)") {
        const knn::Baselines b = knn::FitBaselines(d, algo.label == "GlobalMean" ? 0 : 10, 15, 10);
        fit_seconds += Seconds(t0);
        for (size_t p = begin; p < end; ++p) {
          const uint32_t u = r.users[order[p]], i = r.items[order[p]];
          const double est = b.global_mean + (d.by_user.RowSize(u) ? b.user_bias[u] : 0) +
                             (d.by_item.RowSize(i) ? b.item_bias[i] : 0);
          predictions[p - begin] = std::clamp(est, d.min_value, d.max_value);
        }
      } else {
        ItemKnnRecommender item_model;
        UserKnnRecommender user_model;
        reclift::Recommender& model =
            algo.user_based ? static_cast<reclift::Recommender&>(user_model) : item_model;
        const Params p = BuildParams(
            algo.user_based ? std::span<const reclift::ParamSpec>(reclift::recommenders::kUserKnnParams)
                            : reclift::recommenders::kItemKnnParams,
            algo.params);
        const Status s = arena.execute([&] { return model.Fit(d, p, Context{}); });
        if (!s.ok()) throw std::runtime_error(algo.label + ": " + s.ToString());
        fit_seconds += Seconds(t0);
        arena.execute([&] {
          tbb::parallel_for(begin, end, [&](size_t q) {
            const uint32_t item = r.items[order[q]];
            float out = 0;
            (void)model.Predict(r.users[order[q]], std::span<const uint32_t>(&item, 1),
                                std::span<float>(&out, 1));
            predictions[q - begin] = out;
          });
        });
      }
      for (size_t p = begin; p < end; ++p) {
        const double err = predictions[p - begin] - r.values[order[p]];
        sq += err * err;
        abs += std::abs(err);
        ++count;
      }
    }
    std::printf("%-52s %8.4f %8.4f %8.2f\n", algo.label.c_str(), std::sqrt(sq / count), abs / count,
                fit_seconds / folds);
    std::fflush(stdout);
  }
}

// Top-N quality on a per-user random 80/20 holdout (each user's ratings
// shuffled by the user's own stream, seeded 1234567 ^ (user x 0x9E3779B97F4A7C15),
// the first fifth held out; relevant = held out with rating >= 4), every item
// the user did not train on ranked, ndcg@10 and recall@10 averaged over users
// with a relevant item: the protocol of bench/als_bench.cpp, so the figures
// line up with the als / bpr / ease READMEs.
void TopN(const std::string& preset, int threads) {
  tbb::task_arena arena(threads);
  const Ratings r = arena.execute([&] { return FromSynthetic(preset, 42); });
  std::vector<std::vector<size_t>> by_user(r.num_users);
  for (size_t e = 0; e < r.users.size(); ++e) by_user[r.users[e]].push_back(e);
  std::vector<uint32_t> tu, ti;
  std::vector<float> tv;
  std::vector<std::vector<uint32_t>> relevant(r.num_users);
  for (uint32_t u = 0; u < r.num_users; ++u) {
    std::mt19937_64 rng(1234567 ^ (static_cast<uint64_t>(u) * 0x9E3779B97F4A7C15ull));
    std::shuffle(by_user[u].begin(), by_user[u].end(), rng);
    const size_t held_out = by_user[u].size() / 5;
    for (size_t k = 0; k < by_user[u].size(); ++k) {
      const size_t e = by_user[u][k];
      if (k >= held_out) {
        tu.push_back(u);
        ti.push_back(r.items[e]);
        tv.push_back(r.values[e]);
      } else if (r.values[e] >= 4) {
        relevant[u].push_back(r.items[e]);
      }
    }
    std::sort(relevant[u].begin(), relevant[u].end());
  }
  const OwnedTrainData train = OwnedTrainData::Build(r.num_users, r.num_items, tu, ti, tv, {}, true);
  const reclift::TrainData& d = train.view();
  std::vector<uint32_t> evaluated;
  for (uint32_t u = 0; u < r.num_users; ++u)
    if (!relevant[u].empty()) evaluated.push_back(u);

  // ndcg@10 and recall@10 of one scoring function (user, out row) -> scores
  auto evaluate = [&](auto&& score_block) {
    const size_t block = 128, n = d.num_items, k = 10;
    std::vector<double> ndcg(evaluated.size()), recall(evaluated.size());
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, (evaluated.size() + block - 1) / block, [&](size_t b) {
        const size_t begin = b * block, end = std::min(evaluated.size(), begin + block);
        std::vector<float> scores((end - begin) * n);
        score_block(std::span<const uint32_t>(evaluated).subspan(begin, end - begin), scores);
        std::vector<uint32_t> order(n);
        for (size_t q = begin; q < end; ++q) {
          float* row = scores.data() + (q - begin) * n;
          for (uint32_t seen : d.by_user.RowIndices(evaluated[q])) row[seen] = -1e30f;
          std::iota(order.begin(), order.end(), 0u);
          std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](uint32_t a, uint32_t c) {
            return row[a] > row[c] || (row[a] == row[c] && a < c);
          });
          const auto& rel = relevant[evaluated[q]];
          double dcg = 0, ideal = 0;
          size_t hits = 0;
          for (size_t pos = 0; pos < k; ++pos) {
            const double gain = 1.0 / std::log2(static_cast<double>(pos) + 2.0);
            if (std::binary_search(rel.begin(), rel.end(), order[pos])) dcg += gain, ++hits;
            if (pos < rel.size()) ideal += gain;
          }
          ndcg[q] = dcg / ideal;
          recall[q] = static_cast<double>(hits) / static_cast<double>(rel.size());
        }
      });
    });
    double sum_ndcg = 0, sum_recall = 0;
    for (size_t q = 0; q < evaluated.size(); ++q) sum_ndcg += ndcg[q], sum_recall += recall[q];
    return std::pair<double, double>(sum_ndcg / evaluated.size(), sum_recall / evaluated.size());
  };

  std::printf(
      "\n== top-N quality, synthetic %s (%u users, %u items, %zu train ratings, %zu users evaluated)\n",
      preset.c_str(), r.num_users, r.num_items, d.nnz(), evaluated.size());
  std::printf("| model | params | ndcg@10 | recall@10 | fit s |\n|---|---|---|---|---|\n");
  {
    std::vector<float> popularity(d.num_items);
    for (uint32_t i = 0; i < d.num_items; ++i) popularity[i] = static_cast<float>(d.by_item.RowSize(i));
    auto [ndcg, recall] = evaluate([&](std::span<const uint32_t> users, std::span<float> out) {
      for (size_t b = 0; b < users.size(); ++b)
        std::copy(popularity.begin(), popularity.end(), out.begin() + b * d.num_items);
    });
    std::printf("| popularity | count | %.4f | %.4f | 0.00 |\n", ndcg, recall);
  }
  struct Variant {
    bool user_based;
    std::map<std::string, ParamValue> params;
    std::string label;
  };
  const std::vector<Variant> variants = {
      {false, {}, "defaults (cosine_full, top_neighbours 100)"},
      {false, {{"top_neighbours", int64_t{20}}}, "top_neighbours 20"},
      {false, {{"top_neighbours", int64_t{400}}}, "top_neighbours 400"},
      {false, {{"similarity", "cosine"}}, "similarity cosine (Surprise's)"},
      {false, {{"similarity", "pearson_baseline"}}, "similarity pearson_baseline"},
      {true, {}, "defaults (cosine_full, k 40)"},
      {true, {{"k", int64_t{100}}}, "k 100"},
      {true, {{"similarity", "msd"}}, "similarity msd (Surprise's default)"},
  };
  for (const Variant& v : variants) {
    ItemKnnRecommender item_model;
    UserKnnRecommender user_model;
    reclift::Recommender& model = v.user_based ? static_cast<reclift::Recommender&>(user_model) : item_model;
    const Params p =
        BuildParams(v.user_based ? std::span<const reclift::ParamSpec>(reclift::recommenders::kUserKnnParams)
                                 : reclift::recommenders::kItemKnnParams,
                    v.params);
    const auto t0 = Clock::now();
    const Status s = arena.execute([&] { return model.Fit(d, p, Context{}); });
    const double fit_seconds = Seconds(t0);
    if (!s.ok()) throw std::runtime_error(v.label + ": " + s.ToString());
    auto [ndcg, recall] = evaluate([&](std::span<const uint32_t> users, std::span<float> out) {
      if (!model.ScoreBatch(users, out).ok()) throw std::runtime_error("ScoreBatch failed");
    });
    std::printf("| %s | %s | %.4f | %.4f | %.2f |\n", v.user_based ? "user_knn" : "item_knn", v.label.c_str(),
                ndcg, recall, fit_seconds);
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool speed = false, rmse = false, topn = false;
  int threads = 2;
  std::string preset = "ml-20m", similarity = "cosine_full", udata;
  int64_t top = 100;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    auto value = [&]() -> std::string {
      if (a + 1 >= argc) throw std::runtime_error(arg + " needs a value");
      return argv[++a];
    };
    if (arg == "--speed") {
      speed = true;
    } else if (arg == "--topn") {
      topn = true;
    } else if (arg == "--rmse") {
      rmse = true;
    } else if (arg == "--threads") {
      threads = std::stoi(value());
    } else if (arg == "--preset") {
      preset = value();
    } else if (arg == "--similarity") {
      similarity = value();
    } else if (arg == "--top") {
      top = std::stoll(value());
    } else if (arg == "--udata") {
      udata = value();
    } else {
      std::fprintf(
          stderr,
          "usage: %s [--speed] [--rmse] [--topn] [--threads N] [--preset ml-20m] [--similarity S] [--top N] "
          "[--udata u.data]\n",
          argv[0]);
      return 2;
    }
  }
  if (!speed && !rmse && !topn) speed = rmse = topn = true;
  try {
    if (speed) Speed(preset, threads, similarity, top);
    if (topn) {
      TopN("ml-100k", threads);
      TopN("ml-1m", threads);
    }
    if (rmse) {
      tbb::task_arena arena(threads);
      const Ratings r =
          udata.empty() ? arena.execute([] { return FromSynthetic("ml-100k", 42); }) : FromUData(udata);
      Rmse(r, threads, 1);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}
