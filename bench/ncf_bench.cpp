// Benchmarks of the content, hybrid and ncf recommenders on the synthetic
// datasets (and popularity's per-category scope, loaded from its plugin).
//
//   ncf_bench quality [--preset sample] [--threads 2] [--models popularity,...] [--set ncf:epochs=10 ...]
//     ndcg@10 and recall@10 on a per-user random 80/20 holdout (relevant: held-out interactions with a
//     value at or above the dataset's positive threshold), every non-training item ranked; fit seconds
//   ncf_bench cold-items [--preset sample] [--threads 2] [--cold-share 0.1] [--set ...]
//     a random 10% of the items lose all their interactions to the test set; each user with a relevant
//     interaction on them ranks the cold items only (ndcg@10, recall@10)
//   ncf_bench speed [--preset ml-20m] [--threads 2] [--models content,ncf] [--set ...]
//     fit seconds (ncf: one epoch unless --set ncf:epochs=N), scoring throughput in users per second
//     (ScoreBatch over all items, 256-user blocks), peak memory
//
// Models: popularity, popularity-category (the popularity plugin, scope "global" / "category", loaded from
// <this program>/../plugins-out or --plugin-dir), als, content, content-learned (learn_weights = true),
// hybrid (weighted als + content), hybrid-switching, ncf. The others are compiled in from their plugin
// folders (the *_model.cpp files, without the export symbols). Run with `nice`; figures depend on what
// else the machine runs.
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "../plugins/recommenders/als/als_model.cpp"
#include "../plugins/recommenders/content/content_model.cpp"
#include "../plugins/recommenders/hybrid/hybrid_model.cpp"
#include "../plugins/recommenders/ncf/ncf_model.cpp"
#include "../plugins/recommenders/ncf/ncf_network.cpp"
#include "bench_util.h"
#include "data/synth.h"
#include "plugin_host/registry.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::ChildRecommender;
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
using reclift::bench::SplitList;

struct Args {
  std::string mode;
  std::string preset;
  int threads = 2;
  double cold_share = 0.1;
  std::string plugin_dir;
  std::map<std::string, std::map<std::string, std::string>> set;  // model -> key -> value
  std::vector<std::string> models;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (argc < 2) {
    std::fprintf(stderr,
                 "usage: ncf_bench quality|cold-items|speed [options]  (see the top of ncf_bench.cpp)\n");
    std::exit(2);
  }
  a.mode = argv[1];
  a.preset = a.mode == "speed" ? "ml-20m" : "sample";
  a.models =
      a.mode == "speed" ? std::vector<std::string>{"content", "ncf"}
      : a.mode == "cold-items"
          ? std::vector<std::string>{"popularity",      "als",    "content",
                                     "content-learned", "hybrid", "hybrid-switching"}
          : std::vector<std::string>{"popularity", "popularity-category", "als", "content", "content-learned",
                                     "hybrid",     "hybrid-switching",    "ncf"};
  a.plugin_dir =
      (std::filesystem::canonical("/proc/self/exe").parent_path().parent_path() / "plugins-out").string();
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--preset") {
      a.preset = value;
    } else if (key == "--threads") {
      a.threads = std::stoi(value);
    } else if (key == "--cold-share") {
      a.cold_share = std::stod(value);
    } else if (key == "--plugin-dir") {
      a.plugin_dir = value;
    } else if (key == "--models") {
      a.models = SplitList(value);
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

// A copy of the dataset's item features (the training data owns its own).
reclift::OwnedItemFeatures CopyFeatures(const reclift::host::Dataset& d) {
  reclift::OwnedItemFeatures f;
  f.categories = d.item_features.categories;
  f.category_names = d.item_features.category_names;
  f.tags = d.item_features.tags;
  f.tag_names = d.item_features.tag_names;
  f.numeric = d.item_features.numeric;
  f.numeric_names = d.item_features.numeric_names;
  f.text = d.item_features.text;
  return f;
}

struct Split {
  OwnedTrainData train;
  std::vector<std::vector<uint32_t>> relevant;  // per user, sorted
  std::vector<uint32_t> candidates;             // empty: every non-training item
};

OwnedTrainData BuildTrain(const reclift::host::Dataset& d, const std::vector<uint32_t>& users,
                          const std::vector<uint32_t>& items, const std::vector<float>& values) {
  OwnedTrainData train =
      OwnedTrainData::Build(d.num_users(), d.num_items(), users, items, values, {}, d.explicit_feedback);
  train.SetItemFeatures(CopyFeatures(d));
  return train;
}

// The per-user 80/20 holdout of bench_util.h, with the item features.
Split HoldoutSplit(const reclift::host::Dataset& d) {
  HoldoutRows rows = PerUserHoldout(d);
  Split s;
  s.train = BuildTrain(d, rows.users, rows.items, rows.values);
  s.relevant = std::move(rows.relevant);
  return s;
}

// A random share of the items is cold: all their interactions are test data, and they are the only
// candidates.
Split ColdItemSplit(const reclift::host::Dataset& d, double share) {
  std::vector<uint32_t> order(d.num_items());
  std::iota(order.begin(), order.end(), 0u);
  std::mt19937_64 rng(777);
  std::shuffle(order.begin(), order.end(), rng);
  Split s;
  s.candidates.assign(order.begin(), order.begin() + static_cast<size_t>(share * d.num_items()));
  std::sort(s.candidates.begin(), s.candidates.end());
  std::vector<char> cold(d.num_items(), 0);
  for (uint32_t i : s.candidates) cold[i] = 1;
  std::vector<uint32_t> users, items;
  std::vector<float> values;
  s.relevant.resize(d.num_users());
  for (size_t e = 0; e < d.size(); ++e) {
    if (cold[d.items[e]]) {
      if (d.values[e] >= d.positive_threshold) s.relevant[d.users[e]].push_back(d.items[e]);
    } else {
      users.push_back(d.users[e]);
      items.push_back(d.items[e]);
      values.push_back(d.values[e]);
    }
  }
  for (auto& r : s.relevant) std::sort(r.begin(), r.end());
  s.train = BuildTrain(d, users, items, values);
  return s;
}

struct Quality {
  double ndcg = 0, recall = 0;
  size_t users = 0;
};

// Ranks every non-training item (or the split's candidates) by the model's scores, ties by item id.
Quality Evaluate(const Recommender& model, uint32_t capabilities, const Split& split, size_t k) {
  const TrainData& t = split.train.view();
  std::vector<uint32_t> evaluated;
  for (uint32_t u = 0; u < t.num_users; ++u) {
    if (!split.relevant[u].empty()) evaluated.push_back(u);
  }
  std::vector<uint32_t> all_items(t.num_items);
  std::iota(all_items.begin(), all_items.end(), 0u);
  const std::vector<uint32_t>& candidates = split.candidates.empty() ? all_items : split.candidates;
  const bool batch = split.candidates.empty() && (capabilities & reclift::kCapScoreBatch);
  constexpr size_t kBlock = 128;
  const size_t blocks = (evaluated.size() + kBlock - 1) / kBlock;
  std::vector<double> ndcg(evaluated.size()), recall(evaluated.size());
  tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
    const size_t begin = b * kBlock, end = std::min(evaluated.size(), begin + kBlock);
    std::span<const uint32_t> users(evaluated.data() + begin, end - begin);
    const size_t width = candidates.size();
    std::vector<float> scores(users.size() * width);
    if (batch) {
      Require(model.ScoreBatch(users, scores), "ScoreBatch");
    } else {
      for (size_t r = 0; r < users.size(); ++r) {
        Require(model.Score(users[r], candidates, std::span<float>(scores).subspan(r * width, width)),
                "Score");
      }
    }
    std::vector<uint32_t> order;
    for (size_t r = 0; r < users.size(); ++r) {
      const float* row = scores.data() + r * width;
      const auto seen = t.by_user.RowIndices(users[r]);
      order.clear();
      for (uint32_t c = 0; c < width; ++c) {
        if (!std::binary_search(seen.begin(), seen.end(), candidates[c])) order.push_back(c);
      }
      const size_t top = std::min(k, order.size());
      std::partial_sort(
          order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
          [&](uint32_t a, uint32_t c) { return row[a] > row[c] || (row[a] == row[c] && a < c); });
      const auto& rel = split.relevant[users[r]];
      double dcg = 0, ideal = 0;
      size_t hits = 0;
      for (size_t pos = 0; pos < k; ++pos) {
        if (pos < top && std::binary_search(rel.begin(), rel.end(), candidates[order[pos]])) {
          dcg += 1.0 / std::log2(static_cast<double>(pos) + 2.0);
          ++hits;
        }
        if (pos < rel.size()) ideal += 1.0 / std::log2(static_cast<double>(pos) + 2.0);
      }
      ndcg[begin + r] = dcg / ideal;
      recall[begin + r] = static_cast<double>(hits) / static_cast<double>(std::min(rel.size(), k));
    }
  });
  Quality q;
  q.users = evaluated.size();
  for (size_t i = 0; i < evaluated.size(); ++i) {
    q.ndcg += ndcg[i];
    q.recall += recall[i];
  }
  q.ndcg /= static_cast<double>(std::max<size_t>(1, q.users));
  q.recall /= static_cast<double>(std::max<size_t>(1, q.users));
  return q;
}

// One model to evaluate: the recommender, its capabilities, and what keeps it alive.
struct Built {
  const Recommender* model = nullptr;
  uint32_t capabilities = 0;
  std::vector<std::shared_ptr<void>> keep;
  std::string shown;  // parameters given
  double fit_seconds = 0;
};

class Models {
 public:
  Models(const Args& args) : args_(args) {}

  Built Build(const std::string& name, const TrainData& train, const Context& ctx) {
    Built b;
    const auto start = Clock::now();
    if (name == "popularity" || name == "popularity-category") {
      if (registry_ == nullptr) {
        registry_ = std::make_shared<reclift::host::PluginRegistry>();
        registry_->LoadFile(std::filesystem::path(args_.plugin_dir) / "popularity.so");
      }
      auto handle =
          std::make_shared<reclift::host::RecommenderHandle>(registry_->CreateRecommender("popularity"));
      auto given = Given(name);
      if (name == "popularity-category") given["scope"] = "category";
      Require((*handle)->Fit(train, BuildParams(handle->info().param_specs(), given), ctx), name);
      b.model = handle->get();
      b.capabilities = handle->info().capabilities;
      b.keep = {handle, registry_};
    } else if (name == "als") {
      auto als =
          Fitted<reclift::recommenders::AlsRecommender>(reclift::recommenders::kAlsParams, "als", train, ctx);
      b.model = als.get();
      b.capabilities = reclift::kCapScoreBatch | reclift::kCapScoreHistory;
      b.keep = {als};
    } else if (name == "content" || name == "content-learned") {
      auto given = Given(name);
      if (name == "content-learned") given.emplace("learn_weights", "true");
      auto content = std::make_shared<reclift::recommenders::ContentRecommender>();
      Require(content->Fit(train, BuildParams(reclift::recommenders::kContentParams, given), ctx), name);
      b.model = content.get();
      b.capabilities = reclift::kCapScoreBatch | reclift::kCapScoreHistory | reclift::kCapItemFeatures;
      b.keep = {content};
    } else if (name == "hybrid" || name == "hybrid-switching") {
      // the children as the host would hand them over: fitted first
      auto als =
          Fitted<reclift::recommenders::AlsRecommender>(reclift::recommenders::kAlsParams, "als", train, ctx);
      auto content = Fitted<reclift::recommenders::ContentRecommender>(reclift::recommenders::kContentParams,
                                                                       "content", train, ctx);
      auto hybrid = std::make_shared<reclift::recommenders::HybridRecommender>();
      const ChildRecommender children[] = {
          {als.get(), reclift::kCapScoreBatch | reclift::kCapScoreHistory, "als"},
          {content.get(), reclift::kCapScoreBatch | reclift::kCapScoreHistory | reclift::kCapItemFeatures,
           "content"}};
      Require(hybrid->SetChildren(children), name);
      auto given = Given(name);
      if (name == "hybrid-switching") given.emplace("mode", "switching");
      Require(hybrid->Fit(train, BuildParams(reclift::recommenders::kHybridParams, given), ctx), name);
      b.model = hybrid.get();
      b.capabilities = reclift::kCapScoreBatch | reclift::kCapScoreHistory;
      b.keep = {hybrid, als, content};
    } else if (name == "ncf") {
      auto ncf =
          Fitted<reclift::recommenders::NcfRecommender>(reclift::recommenders::kNcfParams, "ncf", train, ctx);
      b.model = ncf.get();
      b.capabilities = reclift::kCapScoreBatch;
      b.keep = {ncf};
    } else {
      std::fprintf(stderr, "unknown model %s\n", name.c_str());
      std::exit(2);
    }
    b.fit_seconds = Seconds(start);
    for (const auto& [key, value] : Given(name)) b.shown += key + "=" + value + " ";
    return b;
  }

 private:
  std::map<std::string, std::string> Given(const std::string& name) const {
    auto it = args_.set.find(name);
    return it == args_.set.end() ? std::map<std::string, std::string>{} : it->second;
  }

  template <class M, size_t N>
  std::shared_ptr<M> Fitted(const ParamSpec (&specs)[N], const std::string& name, const TrainData& train,
                            const Context& ctx) {
    auto model = std::make_shared<M>();
    Require(model->Fit(train, BuildParams(specs, Given(name)), ctx), name);
    return model;
  }

  const Args& args_;
  std::shared_ptr<reclift::host::PluginRegistry> registry_;
};

void RunQuality(const Args& args, bool cold_items) {
  const reclift::host::Dataset d = Generate(args.preset);
  const Split split = cold_items ? ColdItemSplit(d, args.cold_share) : HoldoutSplit(d);
  size_t evaluated = 0;
  for (const auto& r : split.relevant) evaluated += !r.empty();
  std::printf("train %zu interactions; relevant: held-out values >= %.1f; %zu users evaluated",
              split.train.view().nnz(), d.positive_threshold, evaluated);
  if (cold_items) std::printf("; %zu cold items are the only candidates", split.candidates.size());
  std::printf("\n");
  tbb::task_arena arena(args.threads);
  Models models(args);
  std::printf("| model | ndcg@10 | recall@10 | fit s | params |\n|---|---|---|---|---|\n");
  for (const std::string& name : args.models) {
    Quality q;
    Built built;
    arena.execute([&] {
      Context ctx;
      ctx.seed = 42;
      ctx.num_threads = args.threads;
      built = models.Build(name, split.train.view(), ctx);
      q = Evaluate(*built.model, built.capabilities, split, 10);
    });
    std::printf("| %s | %.4f | %.4f | %.2f | %s|\n", name.c_str(), q.ndcg, q.recall, built.fit_seconds,
                built.shown.c_str());
    std::fflush(stdout);
  }
  std::printf("peak memory %.2f GiB; load average %s\n", PeakRssGib(), LoadAverage().c_str());
}

void RunSpeed(const Args& args) {
  const reclift::host::Dataset d = Generate(args.preset);
  OwnedTrainData train = BuildTrain(d, d.users, d.items, d.values);
  std::printf("peak memory after loading: %.2f GiB\n", PeakRssGib());
  tbb::task_arena arena(args.threads);
  Args local = args;
  if (!local.set["ncf"].count("epochs")) local.set["ncf"]["epochs"] = "1";
  Models models(local);
  for (const std::string& name : args.models) {
    Built built;
    double fit_cpu = 0, score_wall = 0, score_cpu = 0;
    constexpr size_t kUsers = 4096, kBlock = 256;
    arena.execute([&] {
      Context ctx;
      ctx.seed = 42;
      ctx.num_threads = args.threads;
      const double cpu = CpuSeconds();
      built = models.Build(name, train.view(), ctx);
      fit_cpu = CpuSeconds() - cpu;
      // scoring: the first kUsers users, in blocks, all items, as the host's ranker does
      const uint32_t num_items = train.view().num_items;
      const auto start = Clock::now();
      const double cpu_start = CpuSeconds();
      tbb::parallel_for(size_t{0}, kUsers / kBlock, [&](size_t b) {
        std::vector<uint32_t> users(kBlock);
        std::iota(users.begin(), users.end(), static_cast<uint32_t>(b * kBlock));
        std::vector<float> scores(kBlock * num_items);
        Require(built.model->ScoreBatch(users, scores), "ScoreBatch");
      });
      score_wall = Seconds(start);
      score_cpu = CpuSeconds() - cpu_start;
    });
    std::printf(
        "%s threads=%d: fit %.1f s wall, %.1f cpu-s; scoring %.0f users/s wall (%.0f per cpu-s) over %u "
        "items; "
        "peak %.2f GiB; load average %s; %s\n",
        name.c_str(), args.threads, built.fit_seconds, fit_cpu, kUsers / score_wall, kUsers / score_cpu,
        train.view().num_items, PeakRssGib(), LoadAverage().c_str(), built.shown.c_str());
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  if (args.mode == "quality") {
    RunQuality(args, false);
  } else if (args.mode == "cold-items") {
    RunQuality(args, true);
  } else if (args.mode == "speed") {
    RunSpeed(args);
  } else {
    std::fprintf(stderr, "unknown mode %s (quality|cold-items|speed)\n", args.mode.c_str());
    return 2;
  }
  return 0;
}
