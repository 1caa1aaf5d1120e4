// EASE fit time at catalogue sizes of real datasets, and a score dump to
// check that a new solver ranks like the old one.
//
//   ease_bench [--items 9742] [--users 610] [--interactions 100836] [--threads 2]
//              [--set ease:precision=double ...] [--dump scores.txt] [--compare old.txt]
//
// Defaults are the shape of MovieLens latest-small (610 users, 9,742 items,
// 100,836 ratings); Last.fm 2k is --users 1892 --items 17632 --interactions
// 92834. The data is the synthetic platform (`reclift synth`'s generator,
// seed 42) with those sizes: EASE's fit is O(items^3) and barely depends on
// the interactions. The model is compiled in from its plugin folder.
//
// --dump writes, for 200 users spread over the ids, the top 20 items and
// their scores; --compare reads such a file (say from a build of the old
// solver) and reports the largest score difference over those users' whole
// score vectors' top 20 and how many top-20 lists differ.
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <string>
#include <vector>

#include "../plugins/recommenders/ease/ease_model.cpp"
#include "bench_util.h"
#include "data/synth.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::bench::BuildParams;
using reclift::bench::Clock;
using reclift::bench::CpuSeconds;
using reclift::bench::LoadAverage;
using reclift::bench::PeakRssGib;
using reclift::bench::Require;
using reclift::bench::Seconds;

constexpr size_t kDumpUsers = 200, kTop = 20;

struct Row {
  uint32_t user = 0;
  std::vector<uint32_t> items;
  std::vector<float> scores;
};

}  // namespace

int main(int argc, char** argv) {
  reclift::host::SynthOptions synth;
  synth.preset = "ml-100k";
  synth.users = 610;
  synth.items = 9742;
  synth.interactions = 100836;
  int threads = 2;
  std::map<std::string, std::string> set;
  std::string dump, compare;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i], value = argv[i + 1];
    if (key == "--items") {
      synth.items = static_cast<uint32_t>(std::stoul(value));
    } else if (key == "--users") {
      synth.users = static_cast<uint32_t>(std::stoul(value));
    } else if (key == "--interactions") {
      synth.interactions = std::stoull(value);
    } else if (key == "--threads") {
      threads = std::stoi(value);
    } else if (key == "--set") {  // ease:key=value
      const size_t colon = value.find(':'), equals = value.find('=');
      set[value.substr(colon + 1, equals - colon - 1)] = value.substr(equals + 1);
    } else if (key == "--dump") {
      dump = value;
    } else if (key == "--compare") {
      compare = value;
    } else {
      std::fprintf(stderr, "unknown option %s (see the comment at the top of ease_bench.cpp)\n", key.c_str());
      return 2;
    }
  }
  tbb::task_arena arena(threads);
  reclift::host::Dataset d;
  arena.execute([&] { d = reclift::host::GenerateSynthetic(synth); });
  std::vector<reclift::Triplet> triplets(d.size());
  for (size_t e = 0; e < d.size(); ++e) triplets[e] = {d.users[e], d.items[e], d.values[e]};
  OwnedTrainData train = OwnedTrainData::FromTriplets(d.num_users(), d.num_items(), triplets, true);
  std::printf("data: %u users, %u items, %zu interactions\n", d.num_users(), d.num_items(), d.size());

  reclift::recommenders::EaseRecommender ease;
  const reclift::Params params = BuildParams(reclift::recommenders::kEaseParams, set);
  Context ctx;
  ctx.num_threads = threads;
  const double before = PeakRssGib();
  double wall = 0, cpu = 0;
  arena.execute([&] {
    const auto start = Clock::now();
    const double cpu_start = CpuSeconds();
    Require(ease.Fit(train.view(), params, ctx), "ease");
    wall = Seconds(start);
    cpu = CpuSeconds() - cpu_start;
  });
  std::printf(
      "ease items=%u threads=%d: fit %.2f s wall, %.2f cpu-s; peak %.2f GiB (%.2f before fit); load %s\n",
      d.num_items(), threads, wall, cpu, PeakRssGib(), before, LoadAverage().c_str());

  const uint32_t n = d.num_items();
  std::vector<Row> rows;
  std::vector<uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  std::vector<float> scores(n);
  for (size_t k = 0; k < kDumpUsers; ++k) {
    Row row;
    row.user = static_cast<uint32_t>(k * d.num_users() / kDumpUsers);
    Require(ease.Score(row.user, all, scores), "score");
    std::vector<uint32_t> order = all;
    std::partial_sort(order.begin(), order.begin() + kTop, order.end(), [&](uint32_t a, uint32_t b) {
      return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
    });
    for (size_t r = 0; r < kTop; ++r) {
      row.items.push_back(order[r]);
      row.scores.push_back(scores[order[r]]);
    }
    rows.push_back(row);
  }
  if (!dump.empty()) {
    std::ofstream out(dump);
    for (const Row& row : rows) {
      out << row.user;
      for (size_t r = 0; r < kTop; ++r) out << ' ' << row.items[r] << ' ' << row.scores[r];
      out << '\n';
    }
  }
  if (!compare.empty()) {
    std::ifstream in(compare);
    size_t differing_lists = 0, differing_positions = 0;
    double worst = 0;
    for (const Row& row : rows) {
      uint32_t user = 0;
      in >> user;
      if (!in || user != row.user) {
        std::fprintf(stderr, "%s does not hold the same users\n", compare.c_str());
        return 1;
      }
      bool same = true;
      for (size_t r = 0; r < kTop; ++r) {
        uint32_t item = 0;
        float score = 0;
        in >> item >> score;
        if (item != row.items[r]) {
          same = false;
          ++differing_positions;
        }
        // the old list's item, scored by the new model
        std::vector<uint32_t> one = {item};
        std::vector<float> new_score(1);
        Require(ease.Score(row.user, one, new_score), "score");
        worst = std::max(worst, std::fabs(static_cast<double>(new_score[0]) - score));
      }
      differing_lists += !same;
    }
    std::printf(
        "compared with %s: %zu of %zu top-%zu lists differ (%zu positions); largest score difference %.3g\n",
        compare.c_str(), differing_lists, rows.size(), kTop, differing_positions, worst);
  }
  return 0;
}
