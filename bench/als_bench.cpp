// Benchmarks of the factor-model plugins (als, bpr, ease) on the synthetic
// datasets.
//
//   als_bench speed   [--preset ml-20m] [--threads 2] [--factors 64,128] [--sweeps 3] [--solver cg]
//   [--cg-steps 3]
//                     [--cache /tmp/ml-20m.bin]
//     seconds per ALS iteration (one user sweep + one item sweep), peak memory;
//     --cache keeps the generated interactions in a binary file for the next run
//   als_bench bpr-speed [--preset ml-20m] [--threads 2] [--factors 64] [--sweeps 2] [--cache ...]
//     seconds per BPR epoch, deterministic (sequential) and hogwild (parallel)
//   als_bench ease-speed [--preset ml-1m] [--threads 2]
//     EASE fit time and peak memory (run one preset per process: the peak is
//     process-wide)
//   als_bench quality [--preset ml-100k] [--threads 2] [--set als:alpha=5 ...]
//     ndcg@10 and recall@10 of popularity, als, bpr and ease on a per-user
//     random 80/20 holdout (relevant: held-out interactions with a value at or
//     above the dataset's positive threshold), fit time, peak memory
//
// The models are compiled in from their plugin folders (the *_model.cpp
// files, without the export symbol). Run with `nice`; figures depend on what
// else the machine runs.
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "../plugins/recommenders/als/als_model.cpp"
#include "../plugins/recommenders/bpr/bpr_model.cpp"
#include "../plugins/recommenders/ease/ease_model.cpp"
#include "bench_util.h"
#include "data/synth.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamSpec;
using reclift::ParamValue;
using reclift::Recommender;
using reclift::Status;
using reclift::TrainData;
using reclift::bench::BuildParams;
using reclift::bench::Clock;
using reclift::bench::CpuSeconds;
using reclift::bench::Generate;
using reclift::bench::HoldoutRows;
using reclift::bench::LoadAverage;
using reclift::bench::ParseValue;
using reclift::bench::PeakRssGib;
using reclift::bench::PerUserHoldout;
using reclift::bench::Require;
using reclift::bench::Seconds;

struct Args {
  std::string mode;
  std::string preset;
  int threads = 2;
  std::vector<int> factors = {64, 128};
  int sweeps = 3;
  std::string solver = "cg";
  int cg_steps = 3;
  std::string cache;  // speed: a binary copy of the interactions, to skip generation
  std::map<std::string, std::map<std::string, std::string>> set;  // model -> key -> value
  std::vector<std::string> models = {"popularity", "als", "bpr", "ease"};
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: als_bench speed|quality [options]  (see the comment at the top of als_bench.cpp)\n");
    std::exit(2);
  }
  a.mode = argv[1];
  a.preset = a.mode == "speed" || a.mode == "bpr-speed" ? "ml-20m"
             : a.mode == "ease-speed"                   ? "ml-1m"
                                                        : "ml-100k";
  if (a.mode == "bpr-speed") {
    a.factors = {64};
    a.sweeps = 2;
  }
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--preset") {
      a.preset = value;
    } else if (key == "--threads") {
      a.threads = std::stoi(value);
    } else if (key == "--sweeps") {
      a.sweeps = std::stoi(value);
    } else if (key == "--cg-steps") {
      a.cg_steps = std::stoi(value);
    } else if (key == "--cache") {
      a.cache = value;
    } else if (key == "--solver") {
      a.solver = value;
    } else if (key == "--factors") {
      a.factors.clear();
      for (size_t start = 0; start < value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        a.factors.push_back(std::stoi(value.substr(start, comma - start)));
        start = comma + 1;
      }
    } else if (key == "--models") {
      a.models.clear();
      for (size_t start = 0; start < value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        a.models.push_back(value.substr(start, comma - start));
        start = comma + 1;
      }
    } else if (key == "--set") {  // model:key=value
      const size_t colon = value.find(':'), equals = value.find('=');
      a.set[value.substr(0, colon)][value.substr(colon + 1, equals - colon - 1)] = value.substr(equals + 1);
    } else {
      std::fprintf(stderr, "unknown option %s\n", key.c_str());
      std::exit(2);
    }
  }
  return a;
}

// The interactions of a preset as (users, items, values), read from `cache`
// when it exists (generating ml-20m takes minutes), else generated and, when
// `cache` is set, written there.
OwnedTrainData LoadSpeedData(const std::string& preset, const std::string& cache) {
  uint32_t num_users = 0, num_items = 0;
  uint64_t size = 0;
  std::vector<uint32_t> users, items;
  std::vector<float> values;
  std::ifstream in(cache, std::ios::binary);
  if (!cache.empty() && in) {
    in.read(reinterpret_cast<char*>(&num_users), sizeof num_users);
    in.read(reinterpret_cast<char*>(&num_items), sizeof num_items);
    in.read(reinterpret_cast<char*>(&size), sizeof size);
    users.resize(size);
    items.resize(size);
    values.resize(size);
    in.read(reinterpret_cast<char*>(users.data()), static_cast<std::streamsize>(size * 4));
    in.read(reinterpret_cast<char*>(items.data()), static_cast<std::streamsize>(size * 4));
    in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(size * 4));
    std::printf("dataset %s read from %s: %u users, %u items, %zu interactions\n", preset.c_str(),
                cache.c_str(), num_users, num_items, static_cast<size_t>(size));
  } else {
    reclift::host::Dataset d = Generate(preset);
    num_users = d.num_users();
    num_items = d.num_items();
    size = d.size();
    users = std::move(d.users);
    items = std::move(d.items);
    values = std::move(d.values);
    if (!cache.empty()) {
      std::ofstream out(cache, std::ios::binary);
      out.write(reinterpret_cast<const char*>(&num_users), sizeof num_users);
      out.write(reinterpret_cast<const char*>(&num_items), sizeof num_items);
      out.write(reinterpret_cast<const char*>(&size), sizeof size);
      out.write(reinterpret_cast<const char*>(users.data()), static_cast<std::streamsize>(size * 4));
      out.write(reinterpret_cast<const char*>(items.data()), static_cast<std::streamsize>(size * 4));
      out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(size * 4));
    }
  }
  return OwnedTrainData::Build(num_users, num_items, users, items, values, {}, false);
}

void RunSpeed(const Args& args) {
  OwnedTrainData train = LoadSpeedData(args.preset, args.cache);
  std::printf("peak memory after loading: %.2f GiB\n", PeakRssGib());
  tbb::task_arena arena(args.threads);
  for (int f : args.factors) {
    reclift::recommenders::AlsRecommender als;
    const Params params =
        BuildParams(reclift::recommenders::kAlsParams, {{"factors", std::to_string(f)},
                                                        {"solver", args.solver},
                                                        {"cg_steps", std::to_string(args.cg_steps)}});
    std::vector<double> times, cpu_times, user_share;
    arena.execute([&] {
      Require(als.Configure(train.view(), params, 42), "configure");
      for (int s = 0; s < args.sweeps; ++s) {
        const auto start = Clock::now();
        const double cpu_start = CpuSeconds();
        als.SolveUsers();
        const double cpu_users = CpuSeconds() - cpu_start;
        als.SolveItems();
        times.push_back(Seconds(start));
        user_share.push_back(cpu_users);
        double norm_users = 0, norm_items = 0;
        for (float v : als.user_factors()) norm_users += static_cast<double>(v) * v;
        for (float v : als.item_factors()) norm_items += static_cast<double>(v) * v;
        std::printf("  sweep %d: %.2f s wall; |X|^2 = %.4g, |Y|^2 = %.4g\n", s + 1, times.back(), norm_users,
                    norm_items);
        cpu_times.push_back(CpuSeconds() - cpu_start);
      }
    });
    const double mean = std::accumulate(times.begin(), times.end(), 0.0) / static_cast<double>(times.size());
    const double cpu =
        std::accumulate(cpu_times.begin(), cpu_times.end(), 0.0) / static_cast<double>(times.size());
    std::printf(
        "als factors=%d solver=%s threads=%d: %.2f s/iteration wall (min %.2f, max %.2f over %d), %.2f "
        "cpu-s/iteration "
        "(%.2f s per thread; users half %.2f cpu-s); load average %s; peak %.2f GiB\n",
        f, args.solver.c_str(), args.threads, mean, *std::min_element(times.begin(), times.end()),
        *std::max_element(times.begin(), times.end()), args.sweeps, cpu, cpu / args.threads,
        std::accumulate(user_share.begin(), user_share.end(), 0.0) / static_cast<double>(times.size()),
        LoadAverage().c_str(), PeakRssGib());
    std::fflush(stdout);
  }
}

void RunBprSpeed(const Args& args) {
  OwnedTrainData train = LoadSpeedData(args.preset, args.cache);
  tbb::task_arena arena(args.threads);
  for (const bool deterministic : {true, false}) {
    for (int f : args.factors) {
      reclift::recommenders::BprRecommender bpr;
      const Params params = BuildParams(
          reclift::recommenders::kBprParams,
          {{"factors", std::to_string(f)}, {"threads_deterministic", deterministic ? "true" : "false"}});
      double wall = 0, cpu = 0;
      arena.execute([&] {
        Require(bpr.Configure(train.view(), params, 42), "configure");
        const auto start = Clock::now();
        const double cpu_start = CpuSeconds();
        for (int epoch = 0; epoch < args.sweeps; ++epoch) bpr.RunEpoch(epoch);
        wall = Seconds(start) / args.sweeps;
        cpu = (CpuSeconds() - cpu_start) / args.sweeps;
      });
      std::printf(
          "bpr factors=%d %s threads=%d: %.2f s/epoch wall, %.2f cpu-s/epoch; load average %s; peak %.2f "
          "GiB\n",
          f, deterministic ? "deterministic" : "hogwild", args.threads, wall, cpu, LoadAverage().c_str(),
          PeakRssGib());
      std::fflush(stdout);
    }
  }
}

void RunEaseSpeed(const Args& args) {
  OwnedTrainData train = LoadSpeedData(args.preset, args.cache);
  const double before = PeakRssGib();
  tbb::task_arena arena(args.threads);
  reclift::recommenders::EaseRecommender ease;
  const Params params =
      BuildParams(reclift::recommenders::kEaseParams,
                  args.set.count("ease") ? args.set.at("ease") : std::map<std::string, std::string>{});
  double wall = 0, cpu = 0;
  arena.execute([&] {
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    Require(ease.Fit(train.view(), params, Context{}), "ease");
    wall = Seconds(start);
    cpu = CpuSeconds() - cpu_start;
  });
  std::printf(
      "ease items=%u threads=%d: fit %.2f s wall, %.2f cpu-s; peak %.2f GiB (%.2f before fit; model needs "
      "%.2f GiB); load average %s\n",
      train.view().num_items, args.threads, wall, cpu, PeakRssGib(), before,
      static_cast<double>(
          reclift::recommenders::EaseRecommender::RequiredBytes(train.view().num_items, false)) /
          (1u << 30),
      LoadAverage().c_str());
}

// Most popular: the training interaction count of each item.
class Popularity final : public Recommender {
 public:
  Status Fit(const TrainData& d, const Params&, const Context&) override {
    counts_.assign(d.num_items, 0.f);
    for (uint32_t i = 0; i < d.num_items; ++i) counts_[i] = static_cast<float>(d.by_item.RowSize(i));
    return {};
  }
  Status Score(uint32_t, std::span<const uint32_t> items, std::span<float> out) const override {
    for (size_t j = 0; j < items.size(); ++j) out[j] = counts_[items[j]];
    return {};
  }
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override {
    for (size_t b = 0; b < users.size(); ++b)
      std::copy(counts_.begin(), counts_.end(), out.begin() + b * counts_.size());
    return {};
  }

 private:
  std::vector<float> counts_;
};

struct Holdout {
  OwnedTrainData train;
  std::vector<std::vector<uint32_t>> relevant;  // per user, sorted
};

// The per-user 80/20 holdout of bench_util.h.
Holdout MakeHoldout(const reclift::host::Dataset& d) {
  HoldoutRows rows = PerUserHoldout(d);
  Holdout h;
  h.train = OwnedTrainData::Build(d.num_users(), d.num_items(), rows.users, rows.items, rows.values, {},
                                  d.explicit_feedback);
  h.relevant = std::move(rows.relevant);
  return h;
}

struct Quality {
  double ndcg = 0, recall = 0;
  size_t users = 0;
};

Quality Evaluate(const Recommender& model, const Holdout& h, int k) {
  const TrainData& t = h.train.view();
  std::vector<uint32_t> evaluated;
  for (uint32_t u = 0; u < t.num_users; ++u) {
    if (!h.relevant[u].empty()) evaluated.push_back(u);
  }
  constexpr size_t kBlock = 128;
  const size_t blocks = (evaluated.size() + kBlock - 1) / kBlock;
  std::vector<double> ndcg(evaluated.size()), recall(evaluated.size());
  tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
    const size_t begin = b * kBlock, end = std::min(evaluated.size(), begin + kBlock);
    std::span<const uint32_t> users(evaluated.data() + begin, end - begin);
    std::vector<float> scores(users.size() * t.num_items);
    Require(model.ScoreBatch(users, scores), "score");
    std::vector<uint32_t> order(t.num_items);
    for (size_t r = 0; r < users.size(); ++r) {
      float* row = scores.data() + r * t.num_items;
      for (uint32_t seen : t.by_user.RowIndices(users[r])) row[seen] = -1e30f;
      std::iota(order.begin(), order.end(), 0u);
      std::partial_sort(order.begin(), order.begin() + k, order.end(), [&](uint32_t a, uint32_t c) {
        return row[a] > row[c] || (row[a] == row[c] && a < c);
      });
      const auto& rel = h.relevant[users[r]];
      double dcg = 0, ideal = 0;
      size_t hits = 0;
      for (int pos = 0; pos < k; ++pos) {
        if (std::binary_search(rel.begin(), rel.end(), order[pos])) {
          dcg += 1.0 / std::log2(pos + 2.0);
          ++hits;
        }
        if (static_cast<size_t>(pos) < rel.size()) ideal += 1.0 / std::log2(pos + 2.0);
      }
      ndcg[begin + r] = dcg / ideal;
      recall[begin + r] = static_cast<double>(hits) / static_cast<double>(rel.size());
    }
  });
  Quality q;
  q.users = evaluated.size();
  for (size_t i = 0; i < evaluated.size(); ++i) {
    q.ndcg += ndcg[i];
    q.recall += recall[i];
  }
  q.ndcg /= static_cast<double>(q.users);
  q.recall /= static_cast<double>(q.users);
  return q;
}

void RunQuality(const Args& args) {
  const reclift::host::Dataset d = Generate(args.preset);
  const Holdout h = MakeHoldout(d);
  std::printf("train %zu interactions; relevant: held-out values >= %.1f\n", h.train.view().nnz(),
              d.positive_threshold);
  tbb::task_arena arena(args.threads);
  std::printf("| model | ndcg@10 | recall@10 | fit s | params |\n|---|---|---|---|---|\n");
  for (const std::string& name : args.models) {
    std::unique_ptr<Recommender> model;
    Params params;
    auto given = args.set.count(name) ? args.set.at(name) : std::map<std::string, std::string>{};
    if (name == "popularity") {
      model = std::make_unique<Popularity>();
    } else if (name == "als") {
      model = std::make_unique<reclift::recommenders::AlsRecommender>();
      params = BuildParams(reclift::recommenders::kAlsParams, given);
    } else if (name == "bpr") {
      model = std::make_unique<reclift::recommenders::BprRecommender>();
      params = BuildParams(reclift::recommenders::kBprParams, given);
    } else if (name == "ease") {
      model = std::make_unique<reclift::recommenders::EaseRecommender>();
      params = BuildParams(reclift::recommenders::kEaseParams, given);
    } else {
      std::fprintf(stderr, "unknown model %s\n", name.c_str());
      std::exit(2);
    }
    Quality q;
    double fit_seconds = 0;
    arena.execute([&] {
      Context ctx;
      ctx.seed = 42;
      ctx.num_threads = args.threads;
      const auto start = Clock::now();
      Require(model->Fit(h.train.view(), params, ctx), name.c_str());
      fit_seconds = Seconds(start);
      q = Evaluate(*model, h, 10);
    });
    std::string shown;
    for (const auto& [key, value] : given) shown += key + "=" + value + " ";
    std::printf("| %s | %.4f | %.4f | %.2f | %s|\n", name.c_str(), q.ndcg, q.recall, fit_seconds,
                shown.c_str());
    std::fflush(stdout);
  }
  std::printf("peak memory %.2f GiB\n", PeakRssGib());
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  if (args.mode == "speed") {
    RunSpeed(args);
  } else if (args.mode == "bpr-speed") {
    RunBprSpeed(args);
  } else if (args.mode == "ease-speed") {
    RunEaseSpeed(args);
  } else if (args.mode == "quality") {
    RunQuality(args);
  } else {
    std::fprintf(stderr, "unknown mode %s (speed|bpr-speed|ease-speed|quality)\n", args.mode.c_str());
    return 2;
  }
  return 0;
}
