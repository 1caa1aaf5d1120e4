#include "data/synth.h"

#include <tbb/info.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "util/error.h"

namespace reclift::host {
namespace {

namespace fs = std::filesystem;

Dataset Generate(const std::string& preset, uint64_t seed = 42) {
  SynthOptions options;
  options.preset = preset;
  options.seed = seed;
  return GenerateSynthetic(options);
}

// The "sample" preset is generated once (about 0.2 s) for the structural tests.
const Dataset& Sample() {
  static const Dataset d = Generate("sample");
  return d;
}

// A deterministic hash for holdouts (independent of the generator's streams).
uint64_t Hash(uint64_t a, uint64_t b) {
  uint64_t z = a * 0x9E3779B97F4A7C15ull + b + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// nDCG@k with binary relevance: DCG = sum over hits at 1-based rank r <= k of
// 1 / log2(r + 1); the ideal DCG puts min(k, |relevant|) hits on top.
double NdcgAtK(const std::vector<uint32_t>& ranked, const std::vector<char>& relevant, size_t num_relevant,
               size_t k) {
  double dcg = 0, ideal = 0;
  for (size_t r = 0; r < std::min(k, ranked.size()); ++r)
    if (relevant[ranked[r]]) dcg += 1.0 / std::log2(r + 2.0);
  for (size_t r = 0; r < std::min(k, num_relevant); ++r) ideal += 1.0 / std::log2(r + 2.0);
  return ideal > 0 ? dcg / ideal : 0;
}

// The k best-scored items outside `exclude` (ties: lower id first).
std::vector<uint32_t> TopK(const std::vector<double>& scores, const std::vector<char>& exclude, size_t k) {
  std::vector<uint32_t> candidates;
  for (uint32_t i = 0; i < scores.size(); ++i)
    if (!exclude[i]) candidates.push_back(i);
  k = std::min(k, candidates.size());
  std::partial_sort(
      candidates.begin(), candidates.begin() + k, candidates.end(),
      [&](uint32_t a, uint32_t b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
  candidates.resize(k);
  return candidates;
}

std::vector<std::vector<uint32_t>> ItemsByUser(const Dataset& d) {
  std::vector<std::vector<uint32_t>> by_user(d.num_users());
  for (size_t e = 0; e < d.size(); ++e) by_user[d.users[e]].push_back(d.items[e]);
  return by_user;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitOn(const std::string& line, char sep) {
  std::vector<std::string> parts(1);
  for (char ch : line) {
    if (ch == sep)
      parts.emplace_back();
    else
      parts.back() += ch;
  }
  return parts;
}

int NumericColumn(const Dataset& d, const std::string& name) {
  const auto& names = d.item_features.numeric_names;
  return static_cast<int>(std::find(names.begin(), names.end(), name) - names.begin());
}

TEST_CASE("the five synthetic presets are listed in size order with their sizes", "[synth]") {
  CHECK(SynthPresets() == std::vector<std::string>{"tiny", "sample", "ml-100k", "ml-1m", "ml-20m"});
  const auto& infos = SynthPresetInfos();
  REQUIRE(infos.size() == 5);
  CHECK(infos[2].users == 943);
  CHECK(infos[2].items == 1682);
  CHECK(infos[2].interactions == 100000);
  CHECK(infos[4].users == 138493);
  CHECK(infos[4].interactions == 20000263);
  for (const auto& p : infos) CHECK_FALSE(p.description.empty());
}

TEST_CASE("a preset generates exactly its numbers of users, items and interactions", "[synth]") {
  const Dataset& d = Sample();
  CHECK(d.name == "synthetic-sample");
  CHECK(d.num_users() == 3000);
  CHECK(d.num_items() == 600);
  CHECK(d.size() == 60000);
  CHECK(d.timestamps.size() == 60000);
  CHECK(d.values.size() == 60000);
  CHECK(d.explicit_feedback);
  CHECK(d.positive_threshold == 4.0);
  CHECK(d.user_ids.front() == "1");
  CHECK(d.item_ids.back() == "600");

  SynthOptions small;
  small.preset = "tiny";
  small.users = 50;
  small.items = 40;
  small.interactions = 321;
  const Dataset o = GenerateSynthetic(small);
  CHECK(o.num_users() == 50);
  CHECK(o.num_items() == 40);
  CHECK(o.size() == 321);
  // every user has at least one interaction
  std::vector<int> count(50);
  for (uint32_t u : o.users) ++count[u];
  CHECK(*std::min_element(count.begin(), count.end()) >= 1);
}

TEST_CASE("the same seed gives the same dataset, another seed a different one", "[synth]") {
  const Dataset a = Generate("tiny", 7), b = Generate("tiny", 7), c = Generate("tiny", 8);
  CHECK(a.fingerprint.size() == 16);
  CHECK(a.fingerprint == b.fingerprint);
  CHECK(a.fingerprint != c.fingerprint);
  CHECK(a.users == b.users);
  CHECK(a.items == b.items);
  CHECK(a.values == b.values);
  CHECK(a.timestamps == b.timestamps);
  CHECK(a.item_features.text == b.item_features.text);
  CHECK(a.item_features.numeric == b.item_features.numeric);
  CHECK(a.item_features.tags.indices == b.item_features.tags.indices);
  CHECK(a.items != c.items);
  CHECK(a.timestamps != c.timestamps);
  CHECK(a.item_features.text != c.item_features.text);
}

TEST_CASE("the dataset does not depend on the number of threads", "[synth]") {
  SynthOptions options;  // sample: enough users for many parallel blocks
  Dataset serial, parallel;
  tbb::task_arena one(1), all(std::max(2, tbb::info::default_concurrency()));
  one.execute([&] { serial = GenerateSynthetic(options); });
  all.execute([&] { parallel = GenerateSynthetic(options); });
  CHECK(serial.items == parallel.items);
  CHECK(serial.values == parallel.values);
  CHECK(serial.timestamps == parallel.timestamps);
  CHECK(serial.items == Sample().items);
}

TEST_CASE("impossible synthetic options are refused with a message saying why", "[synth]") {
  SynthOptions options;
  options.preset = "smaple";
  CHECK_THROWS_WITH(
      GenerateSynthetic(options),
      "unknown synthetic preset 'smaple' (did you mean 'sample'?); expected one of: tiny, sample, "
      "ml-100k, ml-1m, ml-20m");
  options.preset = "tiny";
  options.users = 100;
  options.interactions = 99;
  CHECK_THROWS_WITH(GenerateSynthetic(options),
                    "synthetic dataset: interactions (99) must be at least users (100): every user has at "
                    "least one interaction");
  // 100 users x (120 items / 4 = 30) = 3000 at most
  options.interactions = 3001;
  CHECK_THROWS_WITH(
      GenerateSynthetic(options),
      "synthetic dataset: interactions (3001) must be at most users x items / 4 (3000): one user "
      "takes at most a quarter of the catalogue");
  options.interactions = 3000;
  CHECK(GenerateSynthetic(options).size() == 3000);
}

TEST_CASE("each user takes an item at most once, after its release, inside the period, in time order",
          "[synth]") {
  const Dataset& d = Sample();
  SynthOptions options;
  const std::vector<int64_t> release = SyntheticReleaseTimes(options);
  REQUIRE(release.size() == d.num_items());
  CHECK(std::is_sorted(release.begin(), release.end()));  // item ids follow release order
  // about a third of the catalogue exists when the period starts
  const auto initial =
      std::count_if(release.begin(), release.end(), [&](int64_t t) { return t < options.start_time; });
  CHECK(initial == 210);  // ceil(0.35 * 600)

  const int64_t end = options.start_time + int64_t{options.days} * 86400;
  size_t before_release = 0, outside = 0, out_of_order = 0, repeats = 0;
  std::set<std::pair<uint32_t, uint32_t>> pairs;
  for (size_t e = 0; e < d.size(); ++e) {
    before_release += d.timestamps[e] < release[d.items[e]];
    outside += d.timestamps[e] < options.start_time || d.timestamps[e] >= end;
    if (e > 0 && d.users[e] == d.users[e - 1]) out_of_order += d.timestamps[e] < d.timestamps[e - 1];
    repeats += !pairs.emplace(d.users[e], d.items[e]).second;
  }
  CHECK(before_release == 0);
  CHECK(outside == 0);
  CHECK(out_of_order == 0);
  CHECK(repeats == 0);
  CHECK(std::is_sorted(d.users.begin(), d.users.end()));
}

TEST_CASE("ratings are whole stars from 1 to 5 with a realistic mix", "[synth]") {
  const Dataset& d = Sample();
  std::vector<size_t> stars(6);
  for (float v : d.values) {
    REQUIRE(v == std::round(v));
    REQUIRE(v >= 1);
    REQUIRE(v <= 5);
    ++stars[static_cast<int>(v)];
  }
  // every level is used, 4 is the most common, 1 the rarest (like MovieLens)
  for (int r = 1; r <= 5; ++r) CHECK(stars[r] > d.size() / 40);
  CHECK(std::max_element(stars.begin(), stars.end()) - stars.begin() == 4);
  CHECK(std::min_element(stars.begin() + 1, stars.end()) - stars.begin() == 1);
  const double mean = std::accumulate(d.values.begin(), d.values.end(), 0.0) / d.size();
  CHECK(mean > 3.2);
  CHECK(mean < 3.9);
}

TEST_CASE("item popularity is long-tailed: the top tenth of items gets over 40% of interactions", "[synth]") {
  const Dataset& d = Sample();
  std::vector<size_t> count(d.num_items());
  for (uint32_t i : d.items) ++count[i];
  std::sort(count.rbegin(), count.rend());
  const size_t top = std::accumulate(count.begin(), count.begin() + d.num_items() / 10, size_t{0});
  CAPTURE(top);
  CHECK(top > 0.4 * d.size());
  // the tail is still there: the bottom half of items has some interactions
  const size_t bottom = std::accumulate(count.begin() + d.num_items() / 2, count.end(), size_t{0});
  CHECK(bottom > 0.02 * d.size());
}

TEST_CASE("user activity is heavy-tailed: most users have few interactions, a few have many", "[synth]") {
  const Dataset& d = Sample();
  std::vector<size_t> count(d.num_users());
  for (uint32_t u : d.users) ++count[u];
  std::sort(count.begin(), count.end());
  const size_t median = count[count.size() / 2];
  const double mean = static_cast<double>(d.size()) / d.num_users();  // 20
  const auto light = std::count_if(count.begin(), count.end(), [](size_t c) { return c <= 5; });
  CAPTURE(median, light);
  CHECK(median <= 10);
  CHECK(median < mean / 2);
  CHECK(light > 0.3 * d.num_users());
  CHECK(count.back() == 150);  // the cap: a quarter of the 600 items
}

TEST_CASE("interests drift: machine-learning's share grows from the first year to the second", "[synth]") {
  const Dataset& d = Sample();
  const auto& names = d.item_features.category_names;
  const uint32_t ml =
      static_cast<uint32_t>(std::find(names.begin(), names.end(), "machine-learning") - names.begin());
  REQUIRE(ml < names.size());
  const auto& cats = d.item_features.categories;
  const int64_t middle = SynthOptions{}.start_time + 365 * 86400;
  double share[2] = {0, 0}, total[2] = {0, 0};
  for (size_t e = 0; e < d.size(); ++e) {
    const int half = d.timestamps[e] >= middle;
    total[half] += 1;
    for (uint64_t p = cats.indptr[d.items[e]]; p < cats.indptr[d.items[e] + 1]; ++p)
      share[half] += cats.indices[p] == ml;
  }
  CAPTURE(share[0] / total[0], share[1] / total[1]);
  CHECK(share[1] / total[1] > 1.2 * share[0] / total[0]);
}

TEST_CASE("item features: categories, tags with the type, price, difficulty, duration and a title",
          "[synth]") {
  const Dataset& d = Sample();
  const OwnedItemFeatures& f = d.item_features;
  CHECK(f.category_names.size() == 20);
  CHECK(f.numeric_names == std::vector<std::string>{"price", "difficulty", "duration_hours"});
  REQUIRE(f.numeric.size() == 3 * d.num_items());
  REQUIRE(f.text.size() == d.num_items());
  REQUIRE(f.categories.indptr.size() == d.num_items() + 1);
  REQUIRE(f.tags.indptr.size() == d.num_items() + 1);
  const std::set<std::string> types = {"course", "ebook", "live"};
  for (uint32_t i = 0; i < d.num_items(); ++i) {
    const auto num_categories = f.categories.indptr[i + 1] - f.categories.indptr[i];
    CHECK((num_categories == 1 || num_categories == 2));
    int type_tags = 0;
    for (uint64_t p = f.tags.indptr[i]; p < f.tags.indptr[i + 1]; ++p)
      type_tags += types.count(f.tag_names[f.tags.indices[p]]);
    CHECK(type_tags == 1);
    const float price = f.numeric[3 * i], difficulty = f.numeric[3 * i + 1], hours = f.numeric[3 * i + 2];
    CHECK(price >= 0);
    CHECK((difficulty == 1 || difficulty == 2 || difficulty == 3));
    CHECK(hours > 0);
    CHECK_FALSE(f.text[i].empty());
    CHECK(f.text[i].find(',') == std::string::npos);
  }
}

TEST_CASE("the nDCG helper of these tests matches a hand computation", "[synth]") {
  // ranked [3, 1, 2], relevant {1, 2}: DCG = 1/log2(3) + 1/log2(4) = 0.6309 + 0.5 = 1.1309;
  // ideal = 1 + 0.6309 = 1.6309; nDCG@3 = 0.6934. At k = 1 no hit: 0.
  const std::vector<char> relevant = {0, 1, 1, 0};
  CHECK(NdcgAtK({3, 1, 2}, relevant, 2, 3) == Approx(0.6934).epsilon(1e-3));
  CHECK(NdcgAtK({3, 1, 2}, relevant, 2, 1) == 0.0);
}

TEST_CASE("personal structure: item-item co-occurrence beats most-popular by over 20% nDCG@10", "[synth]") {
  const Dataset& d = Sample();
  const uint32_t num_items = d.num_items();
  const auto by_user = ItemsByUser(d);
  // hold out ~20% of each user's items, for users with at least 5
  std::vector<std::vector<uint32_t>> train(d.num_users()), test(d.num_users());
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    for (uint32_t i : by_user[u]) {
      const bool held_out = by_user[u].size() >= 5 && Hash(u, i) % 5 == 0;
      (held_out ? test : train)[u].push_back(i);
    }
  }
  std::vector<double> popularity(num_items);
  for (const auto& items : train)
    for (uint32_t i : items) popularity[i] += 1;
  // cosine of item columns: co-counts / sqrt(count_a * count_b)
  std::vector<double> cosine(static_cast<size_t>(num_items) * num_items);
  for (const auto& items : train)
    for (uint32_t a : items)
      for (uint32_t b : items)
        if (a != b) cosine[static_cast<size_t>(a) * num_items + b] += 1;
  for (uint32_t a = 0; a < num_items; ++a)
    for (uint32_t b = 0; b < num_items; ++b)
      if (double& c = cosine[static_cast<size_t>(a) * num_items + b]; c > 0)
        c /= std::sqrt(popularity[a] * popularity[b]);

  double ndcg_popular = 0, ndcg_knn = 0;
  int users = 0;
  std::vector<char> seen(num_items), relevant(num_items);
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    if (test[u].empty() || train[u].empty()) continue;
    std::fill(seen.begin(), seen.end(), 0);
    std::fill(relevant.begin(), relevant.end(), 0);
    for (uint32_t i : train[u]) seen[i] = 1;
    for (uint32_t i : test[u]) relevant[i] = 1;
    std::vector<double> knn(num_items);
    for (uint32_t j : train[u])
      for (uint32_t i = 0; i < num_items; ++i) knn[i] += cosine[static_cast<size_t>(j) * num_items + i];
    ndcg_popular += NdcgAtK(TopK(popularity, seen, 10), relevant, test[u].size(), 10);
    ndcg_knn += NdcgAtK(TopK(knn, seen, 10), relevant, test[u].size(), 10);
    ++users;
  }
  ndcg_popular /= users;
  ndcg_knn /= users;
  CAPTURE(users, ndcg_popular, ndcg_knn);
  REQUIRE(users > 1000);
  CHECK(ndcg_popular > 0.05);  // popularity carries signal too (long tail)
  CHECK(ndcg_knn > 1.2 * ndcg_popular);
}

TEST_CASE("item features predict who likes new items: a content profile beats random on unseen items",
          "[synth]") {
  const Dataset& d = Sample();
  const OwnedItemFeatures& f = d.item_features;
  const uint32_t num_items = d.num_items();
  // a tenth of the items are held out entirely: no interaction of theirs is seen
  std::vector<char> cold(num_items);
  for (uint32_t i = 0; i < num_items; ++i) cold[i] = Hash(99, i) % 10 == 0;
  const auto by_user = ItemsByUser(d);
  const size_t num_categories = f.category_names.size(), num_tags = f.tag_names.size();

  // AUC per user over (liked cold item, other cold item) pairs: the chance
  // that a random pair is ordered right; 0.5 for random scores (ties count 0.5)
  double auc_sum = 0;
  int users = 0;
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    std::vector<double> profile(num_categories + num_tags);
    std::vector<char> positive(num_items);
    bool any_train = false;
    for (uint32_t i : by_user[u]) {
      if (cold[i]) {
        positive[i] = 1;
        continue;
      }
      any_train = true;
      for (uint64_t p = f.categories.indptr[i]; p < f.categories.indptr[i + 1]; ++p)
        profile[f.categories.indices[p]] += 1;
      for (uint64_t p = f.tags.indptr[i]; p < f.tags.indptr[i + 1]; ++p)
        profile[num_categories + f.tags.indices[p]] += 0.5;
    }
    if (!any_train) continue;
    std::vector<double> score(num_items);
    std::vector<uint32_t> pos, neg;
    for (uint32_t i = 0; i < num_items; ++i) {
      if (!cold[i]) continue;
      for (uint64_t p = f.categories.indptr[i]; p < f.categories.indptr[i + 1]; ++p)
        score[i] += profile[f.categories.indices[p]];
      for (uint64_t p = f.tags.indptr[i]; p < f.tags.indptr[i + 1]; ++p)
        score[i] += profile[num_categories + f.tags.indices[p]];
      (positive[i] ? pos : neg).push_back(i);
    }
    if (pos.empty() || neg.empty()) continue;
    double right = 0;
    for (uint32_t a : pos)
      for (uint32_t b : neg) right += score[a] > score[b] ? 1.0 : score[a] == score[b] ? 0.5 : 0.0;
    auc_sum += right / (static_cast<double>(pos.size()) * neg.size());
    ++users;
  }
  const double auc = auc_sum / users;
  CAPTURE(users, auc);
  REQUIRE(users > 1000);
  CHECK(auc > 0.65);
}

TEST_CASE("written CSV files have the documented columns and are byte-identical when rewritten", "[synth]") {
  const Dataset d = Generate("tiny");
  const fs::path root = fs::temp_directory_path() / ("reclift-synth-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  WriteSyntheticDataset(d, root / "a");
  WriteSyntheticDataset(Generate("tiny"), root / "b");

  const std::string interactions = ReadFile(root / "a" / "interactions.csv");
  const std::string items = ReadFile(root / "a" / "items.csv");
  CHECK(interactions == ReadFile(root / "b" / "interactions.csv"));
  CHECK(items == ReadFile(root / "b" / "items.csv"));
  // nothing but the two files (no temporary left behind)
  CHECK(std::distance(fs::directory_iterator(root / "a"), fs::directory_iterator()) == 2);

  std::vector<std::string> lines = SplitOn(interactions, '\n');
  REQUIRE(lines.back().empty());  // ends with a newline
  lines.pop_back();
  REQUIRE(lines.size() == d.size() + 1);
  CHECK(lines[0] == "user,item,rating,timestamp,event");
  const int price = NumericColumn(d, "price");
  const std::set<std::string> events = {"view", "enroll", "purchase", "complete"};
  std::map<std::string, size_t> event_count;
  for (size_t e = 0; e < d.size(); ++e) {
    const std::vector<std::string> field = SplitOn(lines[e + 1], ',');
    REQUIRE(field.size() == 5);
    CHECK(field[0] == d.user_ids[d.users[e]]);
    CHECK(field[1] == d.item_ids[d.items[e]]);
    CHECK(std::stof(field[2]) == d.values[e]);
    CHECK(std::stoll(field[3]) == d.timestamps[e]);
    REQUIRE(events.count(field[4]) == 1);
    ++event_count[field[4]];
    // free items are enrolled in, paid ones purchased
    const bool free_item = d.item_features.numeric[3 * d.items[e] + price] == 0;
    if (field[4] == "enroll") CHECK(free_item);
    if (field[4] == "purchase") CHECK_FALSE(free_item);
  }
  CHECK(event_count["view"] > 0);
  CHECK(event_count["complete"] > 0);
  CHECK(event_count["purchase"] > 0);

  lines = SplitOn(items, '\n');
  lines.pop_back();
  REQUIRE(lines.size() == d.num_items() + 1);
  CHECK(lines[0] == "item,title,type,categories,tags,price,difficulty,duration_hours");
  const std::set<std::string> categories(d.item_features.category_names.begin(),
                                         d.item_features.category_names.end());
  for (uint32_t i = 0; i < d.num_items(); ++i) {
    const std::vector<std::string> field = SplitOn(lines[i + 1], ',');
    REQUIRE(field.size() == 8);
    CHECK(field[0] == d.item_ids[i]);
    CHECK(field[1] == d.item_features.text[i]);
    for (const std::string& c : SplitOn(field[3], '|')) CHECK(categories.count(c) == 1);
    const std::vector<std::string> tags = SplitOn(field[4], '|');
    CHECK(std::find(tags.begin(), tags.end(), field[2]) != tags.end());  // the type is also a tag
    CHECK(std::stof(field[5]) == d.item_features.numeric[3 * i]);
    CHECK(std::stof(field[7]) == d.item_features.numeric[3 * i + 2]);
  }
  fs::remove_all(root);
}

TEST_CASE("the written files load back through the csv loader with the same interactions and features",
          "[synth]") {
  const Dataset d = Generate("tiny");
  const fs::path root = fs::temp_directory_path() / ("reclift-synth-load-" + std::to_string(::getpid()));
  WriteSyntheticDataset(d, root);
  DatasetSpec spec;
  spec.interactions = root / "interactions.csv";
  spec.items = root / "items.csv";
  spec.value_column = "rating";
  spec.timestamp_column = "timestamp";
  const Dataset loaded = LoadDataset(spec);
  fs::remove_all(root);

  REQUIRE(loaded.num_users() == d.num_users());
  REQUIRE(loaded.num_items() == d.num_items());
  REQUIRE(loaded.size() == d.size());
  CHECK(loaded.explicit_feedback);
  // dense ids follow first appearance in the file, so compare original ids
  for (size_t e = 0; e < d.size(); ++e) {
    REQUIRE(loaded.user_ids[loaded.users[e]] == d.user_ids[d.users[e]]);
    REQUIRE(loaded.item_ids[loaded.items[e]] == d.item_ids[d.items[e]]);
    REQUIRE(loaded.values[e] == d.values[e]);
    REQUIRE(loaded.timestamps[e] == d.timestamps[e]);
  }
  const OwnedItemFeatures &want = d.item_features, &got = loaded.item_features;
  auto names_of = [](const OwnedSparse& m, const std::vector<std::string>& names, uint32_t i) {
    std::set<std::string> out;
    for (uint64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) out.insert(names[m.indices[p]]);
    return out;
  };
  const int price = NumericColumn(loaded, "price");
  REQUIRE(price < static_cast<int>(got.numeric_names.size()));
  for (uint32_t li = 0; li < loaded.num_items(); ++li) {
    const uint32_t i = static_cast<uint32_t>(std::stoul(loaded.item_ids[li])) - 1;  // ids are "1".."N"
    CHECK(names_of(got.categories, got.category_names, li) ==
          names_of(want.categories, want.category_names, i));
    CHECK(names_of(got.tags, got.tag_names, li) == names_of(want.tags, want.tag_names, i));
    CHECK(got.numeric[li * got.numeric_names.size() + price] == want.numeric[3 * i]);
    CHECK_THAT(got.text[li], Catch::StartsWith(want.text[i]));  // title, then the type column
  }
}

TEST_CASE("writing into a path that is a file fails with an error naming it", "[synth]") {
  const fs::path file = fs::temp_directory_path() / ("reclift-synth-file-" + std::to_string(::getpid()));
  std::ofstream(file) << "x";
  try {
    WriteSyntheticDataset(Generate("tiny"), file);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK_THAT(e.what(), Catch::Contains("cannot create directory " + file.string()));
  }
  fs::remove(file);
}

}  // namespace
}  // namespace reclift::host
