#include "data/synth.h"

#include <fcntl.h>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <numbers>
#include <numeric>
#include <span>
#include <string_view>

#include "util/atomic_file.h"
#include "util/error.h"
#include "util/text.h"

namespace reclift::host {
namespace {

// ---------------------------------------------------------------------------
// Randomness. Own generator and distributions (not <random>'s), so that a
// seed gives the same dataset with any standard library.

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t HashCombine(uint64_t a, uint64_t b) {
  uint64_t s = a ^ (b * 0xD1B54A32D192ED03ull);
  return SplitMix64(s);
}

// Independent streams: one per (domain, index), so each user or item draws
// the same numbers whatever thread or order it is generated in.
enum class Domain : uint64_t { kWorld = 1, kItem = 2, kActivity = 3, kUser = 4 };

// xoshiro256**
class Rng {
 public:
  Rng(uint64_t seed, Domain domain, uint64_t index) {
    uint64_t s = HashCombine(HashCombine(seed, static_cast<uint64_t>(domain)), index);
    for (auto& word : state_) word = SplitMix64(s);
  }
  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }              // [0, 1)
  double UniformOpen() { return (static_cast<double>(Next() >> 11) + 0.5) * 0x1.0p-53; }  // (0, 1)
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }
  bool Bernoulli(double p) { return Uniform() < p; }
  double Normal() {
    // Box-Muller without caching the second value: simpler to keep in step
    return std::sqrt(-2.0 * std::log(UniformOpen())) * std::cos(2.0 * std::numbers::pi * Uniform());
  }
  double Gamma(double shape) {
    // Marsaglia & Tsang; shape < 1 boosted with U^(1/shape)
    if (shape < 1.0) return Gamma(shape + 1.0) * std::pow(UniformOpen(), 1.0 / shape);
    const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
    for (;;) {
      double x, v;
      do {
        x = Normal();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = UniformOpen();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
    }
  }
  // An index drawn with probability proportional to weights[i].
  size_t Categorical(std::span<const double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Uniform() * total;
    for (size_t i = 0; i < weights.size(); ++i) {
      if (x < weights[i]) return i;
      x -= weights[i];
    }
    return weights.size() - 1;  // rounding
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> state_;
};

double Sigmoid(double x) {
  return 1.0 / (1.0 + std::exp(-x));
}

// ---------------------------------------------------------------------------
// The platform's catalogue vocabulary.

constexpr int kNumCategories = 20;
constexpr int kTopicTagsPerCategory = 6;

struct CategorySpec {
  const char* name;
  double prior;  // share of the catalogue and of exploratory browsing
  std::array<const char*, kTopicTagsPerCategory> tags;
};

enum Category {
  kProgramming,
  kDataScience,
  kMachineLearning,
  kWebDevelopment,
  kDesign,
  kPhotography,
  kMusic,
  kFinance,
  kInvesting,
  kMarketing,
  kBusiness,
  kManagement,
  kLanguages,
  kWriting,
  kHealth,
  kFitness,
  kCooking,
  kHistory,
  kPhilosophy,
  kMathematics,
};

constexpr std::array<CategorySpec, kNumCategories> kCategories = {{
    {"programming", 1.6, {"python", "javascript", "java", "rust", "algorithms", "software-architecture"}},
    {"data-science",
     1.3,
     {"sql", "statistics", "data-visualization", "pandas", "a-b-testing", "data-engineering"}},
    {"machine-learning",
     1.2,
     {"deep-learning", "nlp", "computer-vision", "reinforcement-learning", "mlops", "llms"}},
    {"web-development",
     1.2,
     {"react", "html-css", "node", "web-performance", "accessibility", "backend-apis"}},
    {"design", 1.0, {"ui-design", "ux-research", "typography", "figma", "branding", "illustration"}},
    {"photography",
     0.7,
     {"portrait", "landscape", "lightroom", "film-photography", "street-photography", "video-editing"}},
    {"music", 0.8, {"guitar", "piano", "music-theory", "music-production", "singing", "songwriting"}},
    {"finance",
     0.9,
     {"personal-budgeting", "accounting", "taxes", "corporate-finance", "financial-modeling", "insurance"}},
    {"investing",
     0.9,
     {"stocks", "index-funds", "real-estate", "options-trading", "crypto", "retirement-planning"}},
    {"marketing",
     1.0,
     {"seo", "social-media", "copywriting", "email-marketing", "growth", "content-strategy"}},
    {"business", 1.0, {"entrepreneurship", "e-commerce", "negotiation", "sales", "startups", "strategy"}},
    {"management", 0.9, {"leadership", "agile", "product-management", "team-building", "okrs", "hiring"}},
    {"languages", 1.2, {"english", "spanish", "japanese", "mandarin", "french", "german"}},
    {"writing", 0.6, {"fiction", "nonfiction", "screenwriting", "blogging", "poetry", "editing"}},
    {"health", 0.7, {"nutrition", "sleep", "mental-health", "meditation", "first-aid", "healthy-aging"}},
    {"fitness", 0.7, {"yoga", "running", "strength-training", "pilates", "mobility", "cycling"}},
    {"cooking", 0.6, {"baking", "vegetarian", "asian-cuisine", "italian-cuisine", "meal-prep", "coffee"}},
    {"history",
     0.5,
     {"ancient-history", "world-war-ii", "art-history", "history-of-science", "medieval", "modern-history"}},
    {"philosophy",
     0.4,
     {"ethics", "stoicism", "logic", "existentialism", "political-philosophy", "philosophy-of-mind"}},
    {"mathematics",
     0.7,
     {"calculus", "linear-algebra", "probability", "discrete-math", "geometry", "math-olympiad"}},
}};

// Style tags cut across topics; some only fit some difficulty levels
// (weights for difficulty 1, 2, 3).
struct StyleTagSpec {
  const char* name;
  std::array<double, 3> weight_by_difficulty;
};
constexpr std::array<StyleTagSpec, 10> kStyleTags = {{
    {"beginner-friendly", {3.0, 0.3, 0.0}},
    {"hands-on", {1.0, 1.5, 1.0}},
    {"certificate", {0.6, 0.8, 0.8}},
    {"project-based", {0.5, 1.2, 1.2}},
    {"theory", {0.3, 0.7, 1.2}},
    {"career", {0.7, 0.9, 0.6}},
    {"quick-start", {1.5, 0.5, 0.1}},
    {"deep-dive", {0.0, 0.5, 2.5}},
    {"interview-prep", {0.2, 0.8, 0.9}},
    {"case-studies", {0.3, 0.8, 1.0}},
}};

enum ItemType { kCourse, kEbook, kLive };
constexpr std::array<const char*, 3> kTypeNames = {"course", "ebook", "live"};
constexpr std::array<double, 3> kTypeShare = {0.55, 0.30, 0.15};

// Tag ids: topic tags first (category * 6 + k), then style tags, then types.
constexpr int kFirstStyleTag = kNumCategories * kTopicTagsPerCategory;
constexpr int kFirstTypeTag = kFirstStyleTag + static_cast<int>(kStyleTags.size());
constexpr int kNumTags = kFirstTypeTag + static_cast<int>(kTypeNames.size());

// Personas: typical interest profiles. Users mix one or two of them, so
// categories co-occur the way they do on a real platform (data science with
// machine learning and programming, investing with finance, ...).
struct PersonaSpec {
  const char* name;
  double prior;   // share of users at the middle of the period
  double growth;  // change of the log share over the period: who the platform attracts drifts
  std::array<std::pair<Category, double>, 6> interests;
};
constexpr std::array<PersonaSpec, 8> kPersonas = {{
    {"developer",
     1.6,
     0.0,
     {{{kProgramming, 5},
       {kWebDevelopment, 4},
       {kDataScience, 1.5},
       {kMachineLearning, 1.5},
       {kMathematics, 1},
       {kDesign, 0.5}}}},
    {"data-scientist",
     1.3,
     1.2,
     {{{kDataScience, 5},
       {kMachineLearning, 4},
       {kProgramming, 2.5},
       {kMathematics, 2},
       {kBusiness, 0.5},
       {kFinance, 0.3}}}},
    {"creative",
     1.0,
     -0.3,
     {{{kDesign, 5},
       {kPhotography, 4},
       {kMusic, 2},
       {kWriting, 1.5},
       {kWebDevelopment, 0.5},
       {kMarketing, 0.5}}}},
    {"investor",
     0.9,
     0.3,
     {{{kInvesting, 5},
       {kFinance, 4},
       {kBusiness, 1.5},
       {kMathematics, 0.5},
       {kHistory, 0.3},
       {kDataScience, 0.3}}}},
    {"entrepreneur",
     1.0,
     0.0,
     {{{kBusiness, 5}, {kMarketing, 4}, {kManagement, 3}, {kFinance, 1.5}, {kWriting, 0.5}, {kDesign, 0.3}}}},
    {"culture",
     0.9,
     -0.4,
     {{{kLanguages, 5}, {kHistory, 3}, {kWriting, 2}, {kPhilosophy, 2}, {kCooking, 1}, {kMusic, 0.5}}}},
    {"wellness",
     0.8,
     0.2,
     {{{kFitness, 5}, {kHealth, 4}, {kCooking, 3}, {kMusic, 0.5}, {kPhilosophy, 0.3}, {kLanguages, 0.3}}}},
    {"scholar",
     0.5,
     -0.4,
     {{{kPhilosophy, 4},
       {kHistory, 4},
       {kMathematics, 3},
       {kWriting, 2},
       {kLanguages, 1},
       {kMachineLearning, 0.3}}}},
}};

constexpr int kLatentDims = 8;
constexpr int64_t kDay = 86400;
constexpr uint8_t kNoIndex = 255;

// ---------------------------------------------------------------------------
// Presets.

const std::vector<SynthPresetInfo>& PresetTable() {
  static const std::vector<SynthPresetInfo> presets = {
      {"tiny", "for unit tests and quick checks", 200, 120, 2500},
      {"sample", "the bundled datasets/sample", 3000, 600, 60000},
      {"ml-100k", "the shape of MovieLens 100K", 943, 1682, 100000},
      {"ml-1m", "the shape of MovieLens 1M", 6040, 3706, 1000209},
      {"ml-20m", "the shape of MovieLens 20M, for scaling benchmarks", 138493, 26744, 20000263},
  };
  return presets;
}

// ---------------------------------------------------------------------------
// The world: everything shared by all users.

// Popularity weights in a Fenwick tree, so that a user can draw without
// replacement: the items a user has taken are zeroed in a per-thread copy and
// restored after the user. Weights are integers so that restoring is exact
// whatever users a thread handled before (floating-point sums would drift and
// make the output depend on the thread count).
class FenwickTree {
 public:
  explicit FenwickTree(size_t size = 0) : tree_(size + 1, 0) {}
  void Add(size_t pos, int64_t delta) {
    for (size_t k = pos + 1; k < tree_.size(); k += k & (~k + 1)) tree_[k] += static_cast<uint64_t>(delta);
  }
  uint64_t Prefix(size_t count) const {  // total weight of the first `count` entries
    uint64_t sum = 0;
    for (size_t k = count; k > 0; k -= k & (~k + 1)) sum += tree_[k];
    return sum;
  }
  // The position p with Prefix(p) <= x < Prefix(p + 1), for x < Prefix(size).
  size_t Find(uint64_t x) const {
    size_t pos = 0;
    for (size_t step = std::bit_floor(tree_.size() - 1); step > 0; step >>= 1) {
      if (pos + step < tree_.size() && tree_[pos + step] <= x) {
        pos += step;
        x -= tree_[pos];
      }
    }
    return pos;
  }

 private:
  std::vector<uint64_t> tree_;
};

// The items listing one category, in release order.
struct CategoryIndex {
  std::vector<uint32_t> items;
  std::vector<int64_t> releases;
};

struct World {
  uint32_t num_items = 0;
  int64_t start = 0, end = 0;
  // items (ids are in release order)
  std::vector<std::array<int8_t, 2>> categories;  // primary, secondary (-1: none)
  std::vector<std::vector<uint16_t>> tags;        // sorted tag ids
  std::vector<uint8_t> type;
  std::vector<uint8_t> difficulty;  // 1..3
  std::vector<float> price, duration_hours;
  std::vector<int64_t> release;
  std::vector<double> popularity;           // Zipf weight by a random rank
  std::vector<uint64_t> popularity_weight;  // the same as integers >= 1
  // where each item sits in the indexes: (index, position), up to three
  std::vector<std::array<std::pair<uint8_t, uint32_t>, 3>> slots;
  std::vector<float> quality;  // rating offset
  std::vector<float> trend;    // popularity slope over the period
  std::vector<float> latent;   // num_items x kLatentDims, unit rows
  std::vector<std::string> titles;
  // categories
  std::array<double, kNumCategories> category_prior{};
  std::array<double, kNumCategories> category_trend{};
  std::vector<std::array<double, kNumCategories>> category_trend_by_day;  // exp(trend * (progress - 0.5))
  // one index per category, and a last one over the whole catalogue (for
  // popularity-driven browsing)
  std::array<CategoryIndex, kNumCategories + 1> index;
  std::array<FenwickTree, kNumCategories + 1> popularity_trees;  // one per index

  const float* Latent(uint32_t item) const { return latent.data() + static_cast<size_t>(item) * kLatentDims; }
  const std::array<double, kNumCategories>& CategoryTrendAt(int64_t t) const {
    const int64_t day = std::clamp<int64_t>((t - start) / kDay, 0, category_trend_by_day.size() - 1);
    return category_trend_by_day[day];
  }
};

std::string PrettyTag(std::string_view tag) {
  // names that capitalising words would spell wrong
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kSpelled = {{
      {"javascript", "JavaScript"},
      {"sql", "SQL"},
      {"a-b-testing", "A/B Testing"},
      {"nlp", "NLP"},
      {"mlops", "MLOps"},
      {"llms", "LLMs"},
      {"html-css", "HTML & CSS"},
      {"node", "Node.js"},
      {"backend-apis", "Backend APIs"},
      {"ui-design", "UI Design"},
      {"ux-research", "UX Research"},
      {"seo", "SEO"},
      {"e-commerce", "E-commerce"},
      {"okrs", "OKRs"},
      {"world-war-ii", "World War II"},
      {"first-aid", "First Aid"},
  }};
  for (auto [name, spelled] : kSpelled)
    if (name == tag) return std::string(spelled);
  std::string out;
  bool word_start = true;
  for (char ch : tag) {
    if (ch == '-') {
      out += ' ';
      word_start = true;
    } else {
      out += word_start ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
      word_start = false;
    }
  }
  return out;
}

std::string MakeTitle(Rng& rng, int difficulty, int type, const std::string& topic,
                      const std::string& second) {
  static constexpr std::array<std::array<const char*, 4>, 3> kPrefix = {{
      {"Intro to", "Getting Started with", "First Steps in", "Friendly"},
      {"Practical", "Applied", "Modern", "Complete"},
      {"Advanced", "Mastering", "Expert", "Deep Dive into"},
  }};
  static constexpr std::array<std::array<const char*, 4>, 3> kSuffix = {{
      {"Course", "Bootcamp", "Masterclass", "Crash Course"},
      {"Handbook", "Guide", "Field Notes", "Cookbook"},
      {"Live Workshop", "Live Q&A", "Live Lecture", "Live Clinic"},
  }};
  std::string title = kPrefix[difficulty - 1][rng.Below(4)];
  title += ' ';
  title += PrettyTag(topic);
  if (!second.empty()) title += " for " + PrettyTag(second);
  title += ' ';
  title += kSuffix[type][rng.Below(4)];
  return title;
}

double LogNormal(Rng& rng, double median, double sigma) {
  return median * std::exp(sigma * rng.Normal());
}

World BuildWorld(uint64_t seed, uint32_t num_items, int64_t start, int64_t end) {
  World w;
  w.num_items = num_items;
  w.start = start;
  w.end = end;
  Rng world_rng(seed, Domain::kWorld, 0);

  // Latent embeddings of categories and tags: an item's taste vector is built
  // from them, so its features say who will like it.
  std::vector<float> category_vec(kNumCategories * kLatentDims), tag_vec(kNumTags * kLatentDims);
  for (auto& x : category_vec) x = static_cast<float>(world_rng.Normal());
  for (auto& x : tag_vec) x = static_cast<float>(world_rng.Normal());
  for (int c = 0; c < kNumCategories; ++c) {
    w.category_prior[c] = kCategories[c].prior;
    w.category_trend[c] = 0.5 * world_rng.Normal();
  }
  w.category_trend[kMachineLearning] = 1.2;  // the AI boom of the period

  // Related categories, for secondary categories: co-occurrence in personas.
  std::array<std::array<double, kNumCategories>, kNumCategories> related{};
  for (const auto& p : kPersonas)
    for (auto [a, wa] : p.interests)
      for (auto [b, wb] : p.interests)
        if (a != b) related[a][b] += wa * wb;

  // Popularity: Zipf over a random rank, independent of release time.
  std::vector<uint32_t> rank(num_items);
  std::iota(rank.begin(), rank.end(), 0u);
  for (uint32_t i = num_items; i > 1; --i) std::swap(rank[i - 1], rank[world_rng.Below(i)]);

  w.categories.resize(num_items);
  w.tags.resize(num_items);
  w.type.resize(num_items);
  w.difficulty.resize(num_items);
  w.price.resize(num_items);
  w.duration_hours.resize(num_items);
  w.release.resize(num_items);
  w.popularity.resize(num_items);
  w.quality.resize(num_items);
  w.trend.resize(num_items);
  w.latent.resize(static_cast<size_t>(num_items) * kLatentDims);
  w.titles.resize(num_items);

  // A third of the catalogue exists before the period starts (released over
  // the previous year); the rest is released evenly during it, the last two
  // weeks excepted.
  const uint32_t initial = std::max<uint32_t>(1, static_cast<uint32_t>(std::ceil(0.35 * num_items)));
  const int64_t span = end - start;

  for (uint32_t i = 0; i < num_items; ++i) {
    Rng rng(seed, Domain::kItem, i);
    const double slot = rng.Uniform();
    if (i < initial) {
      w.release[i] = start - 365 * kDay + static_cast<int64_t>(365.0 * kDay * (i + slot) / initial);
    } else {
      const double frac = (i - initial + slot) / static_cast<double>(num_items - initial);
      w.release[i] = start + static_cast<int64_t>(frac * static_cast<double>(span - 14 * kDay));
    }

    const int primary = static_cast<int>(rng.Categorical(w.category_prior));
    int secondary = -1;
    if (rng.Bernoulli(0.25)) secondary = static_cast<int>(rng.Categorical(related[primary]));
    w.categories[i] = {static_cast<int8_t>(primary), static_cast<int8_t>(secondary)};

    const int type = static_cast<int>(rng.Categorical(kTypeShare));
    const int difficulty = 1 + static_cast<int>(rng.Categorical(std::array<double, 3>{0.45, 0.35, 0.20}));
    w.type[i] = static_cast<uint8_t>(type);
    w.difficulty[i] = static_cast<uint8_t>(difficulty);

    // topic tags: 1..3 from the primary category (earlier ones more common),
    // one from the secondary
    std::array<double, kTopicTagsPerCategory> topic_weight;
    for (int k = 0; k < kTopicTagsPerCategory; ++k) topic_weight[k] = 1.0 / std::pow(k + 1.0, 0.7);
    const int num_topic = 1 + rng.Bernoulli(0.5) + rng.Bernoulli(0.15);
    std::vector<uint16_t> topics;
    for (int k = 0; k < num_topic; ++k) {
      const size_t t = rng.Categorical(topic_weight);
      topic_weight[t] = 0;
      topics.push_back(static_cast<uint16_t>(primary * kTopicTagsPerCategory + t));
    }
    uint16_t second_topic = 0;
    if (secondary >= 0) {
      second_topic =
          static_cast<uint16_t>(secondary * kTopicTagsPerCategory + rng.Below(kTopicTagsPerCategory));
    }
    std::array<double, kStyleTags.size()> style_weight;
    for (size_t s = 0; s < kStyleTags.size(); ++s)
      style_weight[s] = kStyleTags[s].weight_by_difficulty[difficulty - 1];
    std::vector<uint16_t> styles;
    const int num_style = 1 + rng.Bernoulli(0.4);
    for (int k = 0; k < num_style; ++k) {
      const size_t s = rng.Categorical(style_weight);
      style_weight[s] = 0;
      styles.push_back(static_cast<uint16_t>(kFirstStyleTag + s));
    }

    // taste vector: category and tags, plus an item-specific part that only
    // interactions reveal
    std::array<double, kLatentDims> q{};
    for (int d = 0; d < kLatentDims; ++d) {
      q[d] = 0.8 * category_vec[primary * kLatentDims + d] + 0.6 * rng.Normal();
      if (secondary >= 0) q[d] += 0.4 * category_vec[secondary * kLatentDims + d];
      for (uint16_t t : topics) q[d] += 0.9 * tag_vec[t * kLatentDims + d];
      if (secondary >= 0) q[d] += 0.5 * tag_vec[second_topic * kLatentDims + d];
      for (uint16_t t : styles) q[d] += 0.4 * tag_vec[t * kLatentDims + d];
    }
    double norm = 0;
    for (double x : q) norm += x * x;
    norm = std::sqrt(norm);
    for (int d = 0; d < kLatentDims; ++d) w.latent[static_cast<size_t>(i) * kLatentDims + d] = q[d] / norm;

    // price and duration by type
    float price = 0, hours = 0;
    switch (type) {
      case kCourse:
        if (!rng.Bernoulli(0.12))
          price = static_cast<float>(std::clamp(std::round(LogNormal(rng, 49, 0.6)), 10.0, 300.0) - 0.01);
        hours = static_cast<float>(std::clamp(std::round(2 * LogNormal(rng, 8, 0.8)) / 2, 0.5, 80.0));
        break;
      case kEbook:
        price = static_cast<float>(std::clamp(std::round(LogNormal(rng, 15, 0.4)), 3.0, 60.0) - 0.01);
        hours = static_cast<float>(std::clamp(std::round(2 * LogNormal(rng, 6, 0.4)) / 2, 1.0, 30.0));
        break;
      default:
        if (!rng.Bernoulli(0.25))
          price = static_cast<float>(std::clamp(std::round(LogNormal(rng, 29, 0.5)), 5.0, 150.0) - 0.01);
        hours = std::array<float, 4>{1, 1.5, 2, 3}[rng.Below(4)];
    }
    w.price[i] = price;
    w.duration_hours[i] = hours;

    w.popularity[i] = 1.0 / std::pow(rank[i] + 2.0, 2.0);
    // popular items are a little better on average
    w.quality[i] =
        static_cast<float>(0.35 * rng.Normal() + 0.3 * (0.5 - static_cast<double>(rank[i]) / num_items));
    w.trend[i] = static_cast<float>(rng.Normal());

    w.titles[i] =
        MakeTitle(rng, difficulty, type, kCategories[primary].tags[topics[0] % kTopicTagsPerCategory],
                  secondary >= 0 ? kCategories[secondary].tags[second_topic % kTopicTagsPerCategory] : "");

    std::vector<uint16_t>& all = w.tags[i];
    all = topics;
    if (secondary >= 0 && std::find(all.begin(), all.end(), second_topic) == all.end())
      all.push_back(second_topic);
    all.insert(all.end(), styles.begin(), styles.end());
    all.push_back(static_cast<uint16_t>(kFirstTypeTag + type));
    std::sort(all.begin(), all.end());
  }

  const double top = *std::max_element(w.popularity.begin(), w.popularity.end());
  w.popularity_weight.resize(num_items);
  for (uint32_t i = 0; i < num_items; ++i) {
    w.popularity_weight[i] = std::max<uint64_t>(1, std::llround(w.popularity[i] / top * 0x1.0p40));
  }
  w.slots.assign(num_items, {{{kNoIndex, 0}, {kNoIndex, 0}, {kNoIndex, 0}}});
  for (uint32_t i = 0; i < num_items; ++i) {
    int slot = 0;
    auto list = [&](int index) {
      CategoryIndex& ix = w.index[index];
      w.slots[i][slot++] = {static_cast<uint8_t>(index), static_cast<uint32_t>(ix.items.size())};
      ix.items.push_back(i);
      ix.releases.push_back(w.release[i]);
    };
    for (int8_t c : w.categories[i])
      if (c >= 0) list(c);
    list(kNumCategories);
  }
  for (size_t c = 0; c < w.index.size(); ++c) {
    const CategoryIndex& ix = w.index[c];
    w.popularity_trees[c] = FenwickTree(ix.items.size());
    for (size_t k = 0; k < ix.items.size(); ++k) {
      w.popularity_trees[c].Add(k, static_cast<int64_t>(w.popularity_weight[ix.items[k]]));
    }
  }
  const int64_t days = (end - start + kDay - 1) / kDay;
  w.category_trend_by_day.resize(static_cast<size_t>(days));
  for (int64_t day = 0; day < days; ++day) {
    const double progress = (day + 0.5) * kDay / static_cast<double>(end - start);
    for (int c = 0; c < kNumCategories; ++c)
      w.category_trend_by_day[day][c] = std::exp(w.category_trend[c] * (progress - 0.5));
  }
  return w;
}

// ---------------------------------------------------------------------------
// Users.

// Join time and activity weight of one user (first pass: the activity of
// every user must be known to hand out the exact number of interactions).
struct UserPlan {
  int64_t join = 0;
  double activity = 0;
};

UserPlan PlanUser(uint64_t seed, uint32_t user, uint32_t num_users, const World& w) {
  Rng rng(seed, Domain::kActivity, user);
  // the platform grows: joins are denser later (CDF x^1.3); ids follow joins
  const double p = (user + rng.Uniform()) / num_users;
  const double join_frac = 0.97 * std::pow(p, 1.0 / 1.3);
  UserPlan plan;
  plan.join = w.start + static_cast<int64_t>(join_frac * static_cast<double>(w.end - w.start));
  // heavy-tailed activity; late joiners have had less time
  plan.activity = std::exp(1.4 * rng.Normal()) * (1.0 - 0.6 * join_frac);
  return plan;
}

// Interactions per user: proportional to activity, at least 1, at most
// `cap`, summing exactly to `total` (largest remainders get the rest).
std::vector<uint32_t> AllocateInteractions(const std::vector<UserPlan>& plans, uint64_t total, uint32_t cap) {
  const size_t n = plans.size();
  auto count_of = [cap](double x) -> uint32_t {
    return x >= cap ? cap : std::max<uint32_t>(1, static_cast<uint32_t>(x));
  };
  auto count_at = [&](double scale) {
    uint64_t sum = 0;
    for (const auto& p : plans) sum += count_of(scale * p.activity);
    return sum;
  };
  double lo = 0, hi = 1;
  while (count_at(hi) < total && hi < 1e300) hi *= 2;
  for (int iter = 0; iter < 200 && hi - lo > lo * 1e-15; ++iter) {
    const double mid = 0.5 * (lo + hi);
    (count_at(mid) <= total ? lo : hi) = mid;
  }
  std::vector<uint32_t> counts(n);
  uint64_t sum = 0;
  for (size_t u = 0; u < n; ++u) {
    counts[u] = count_of(lo * plans[u].activity);
    sum += counts[u];
  }
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0u);
  auto remainder = [&](uint32_t u) {
    const double x = lo * plans[u].activity;
    return x - std::floor(x);
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return remainder(a) > remainder(b); });
  while (sum < total) {
    for (uint32_t u : order) {
      if (sum == total) break;
      if (counts[u] < cap) {
        ++counts[u];
        ++sum;
      }
    }
  }
  return counts;
}

struct UserOutput {
  uint32_t* items;
  float* ratings;
  int64_t* timestamps;
};

// Per-thread sampling state: the popularity trees with the current user's
// items taken out. Between users it equals the world's trees exactly.
struct UserSampler {
  explicit UserSampler(const World& w) : trees(w.popularity_trees) {}
  std::array<FenwickTree, kNumCategories + 1> trees;

  void Take(const World& w, uint32_t item, int sign) {
    const int64_t weight = sign * static_cast<int64_t>(w.popularity_weight[item]);
    for (auto [index, pos] : w.slots[item])
      if (index != kNoIndex) trees[index].Add(pos, weight);
  }
  // An item of `index` released in [lo, hi) (positions), drawn by
  // popularity among those the user has not taken; UINT32_MAX when none.
  uint32_t Draw(const World& w, int index, size_t lo, size_t hi, Rng& rng) const {
    const FenwickTree& tree = trees[index];
    const uint64_t below = tree.Prefix(lo), total = tree.Prefix(hi) - below;
    if (total == 0) return UINT32_MAX;
    const uint64_t x =
        below + static_cast<uint64_t>((static_cast<unsigned __int128>(rng.Next()) * total) >> 64);
    return w.index[index].items[tree.Find(x)];
  }
};

// Ratings: thresholds on a latent satisfaction score, set so that the mix
// looks like real rating data (few 1s, mostly 3-5).
constexpr std::array<double, 4> kRatingThresholds = {-1.0, -0.4, 0.35, 1.2};

void GenerateUser(uint64_t seed, uint32_t user, const UserPlan& plan, uint32_t count, const World& w,
                  UserSampler& sampler, UserOutput out) {
  Rng rng(seed, Domain::kUser, user);

  // interests: one or two personas, a sparse Dirichlet draw around them, and
  // a second draw the interests drift towards (sometimes a new persona)
  auto persona_profile = [&](std::array<double, kNumCategories>& base, size_t persona, double weight) {
    double total = 0;
    for (auto [c, x] : kPersonas[persona].interests) total += x;
    for (auto [c, x] : kPersonas[persona].interests) base[c] += weight * x / total;
  };
  // who joins, and what people turn to, follows the personas' growth
  const double join_progress =
      static_cast<double>(plan.join - w.start) / static_cast<double>(w.end - w.start);
  std::array<double, kPersonas.size()> persona_prior, persona_prior_late;
  for (size_t p = 0; p < kPersonas.size(); ++p) {
    persona_prior[p] = kPersonas[p].prior * std::exp(kPersonas[p].growth * (join_progress - 0.5));
    persona_prior_late[p] = kPersonas[p].prior * std::exp(kPersonas[p].growth * 0.5);
  }
  std::array<double, kNumCategories> base_start{}, base_end{};
  const size_t first = rng.Categorical(persona_prior);
  if (rng.Bernoulli(0.35)) {
    size_t second = rng.Categorical(persona_prior);
    persona_profile(base_start, first, 0.6);
    persona_profile(base_start, second, 0.4);
  } else {
    persona_profile(base_start, first, 1.0);
  }
  base_end = base_start;
  if (rng.Bernoulli(0.35)) {
    for (auto& x : base_end) x *= 0.5;
    persona_profile(base_end, rng.Categorical(persona_prior_late), 0.5);
  }
  auto dirichlet = [&](const std::array<double, kNumCategories>& base) {
    std::array<double, kNumCategories> theta;
    double total = 0;
    for (int c = 0; c < kNumCategories; ++c) total += theta[c] = rng.Gamma(3.0 * (base[c] + 0.01));
    for (auto& x : theta) x = std::max(x / total, 1e-12);
    return theta;
  };
  const auto theta_start = dirichlet(base_start);
  const auto theta_end = dirichlet(base_end);

  std::array<double, kLatentDims> taste;
  for (auto& x : taste) x = rng.Normal();
  const double level_start = 1.0 + 2.0 * std::pow(rng.Uniform(), 1.5);  // most start as beginners
  const double leniency = 0.4 * rng.Normal();
  const double explore = 0.02 + 0.2 * rng.Uniform();  // share of popularity-driven browsing

  // when: a lifetime growing with activity, front-loaded inside it
  const double remaining = static_cast<double>(w.end - 3600 - plan.join);
  const double lifetime =
      std::max(3600.0, std::min(remaining, 5.0 * kDay * std::pow(count, 0.8) * std::exp(0.5 * rng.Normal())));
  std::vector<double> when(count);
  for (auto& x : when) x = std::pow(rng.Uniform(), 1.3);
  std::sort(when.begin(), when.end());

  const double period = static_cast<double>(w.end - w.start);
  std::array<double, kNumCategories> weight;
  auto affinity_of = [&](uint32_t item) {
    const float* q = w.Latent(item);
    double a = 0;
    for (int d = 0; d < kLatentDims; ++d) a += taste[d] * q[d];
    return a;
  };

  for (uint32_t k = 0; k < count; ++k) {
    const int64_t t = plan.join + static_cast<int64_t>(when[k] * lifetime);
    const double s = when[k];  // progress through the user's lifetime
    const double progress = static_cast<double>(t - w.start) / period;
    const double level = std::min(3.0, level_start + 0.8 * s);
    const auto& category_trend = w.CategoryTrendAt(t);
    double weight_total = 0;
    for (int c = 0; c < kNumCategories; ++c) {
      weight[c] = ((1 - 0.8 * s) * theta_start[c] + 0.8 * s * theta_end[c]) * category_trend[c];
      weight_total += weight[c];
    }

    std::array<uint32_t, kNumCategories + 1> released_in;  // items of each index released by t
    released_in.fill(UINT32_MAX);
    uint32_t chosen = UINT32_MAX;
    int chosen_category = -1;
    for (int attempt = 0; attempt < 64 && chosen == UINT32_MAX; ++attempt) {
      const int c = rng.Bernoulli(explore) ? kNumCategories : static_cast<int>(rng.Categorical(weight));
      const CategoryIndex& ix = w.index[c];
      if (released_in[c] == UINT32_MAX) {
        released_in[c] = static_cast<uint32_t>(std::upper_bound(ix.releases.begin(), ix.releases.end(), t) -
                                               ix.releases.begin());
      }
      const size_t released = released_in[c];
      size_t lo = 0;
      if (rng.Bernoulli(0.1)) {  // new releases get a burst of attention
        lo = std::lower_bound(ix.releases.begin(), ix.releases.begin() + released, t - 30 * kDay) -
             ix.releases.begin();
      }
      uint32_t item = sampler.Draw(w, c, lo, released, rng);
      if (item == UINT32_MAX && lo > 0) item = sampler.Draw(w, c, 0, released, rng);
      if (item == UINT32_MAX) continue;

      // whether the user engages: the item's momentum, a live lecture's
      // freshness, then taste and level (checked last: the costliest; a
      // draw above the first factors rejects whatever the last one is)
      const double coin = rng.Uniform();
      double accept = 0.4 + 0.6 * Sigmoid(3.0 * w.trend[item] * (progress - 0.5));
      if (w.type[item] == kLive) {
        accept *= 0.15 + 0.85 * std::exp(-static_cast<double>(t - w.release[item]) / (14.0 * kDay));
      }
      if (coin >= accept) continue;
      accept *= Sigmoid(2.5 * affinity_of(item) - 0.8 * std::abs(w.difficulty[item] - level) + 0.3);
      if (coin >= accept) continue;
      chosen = item;
      chosen_category = c < kNumCategories ? c : w.categories[item][0];
    }
    if (chosen == UINT32_MAX) {
      // nothing appealing found: the user takes a popular item they have not
      // seen (there always is one: counts are capped below the catalogue
      // available at the start)
      const size_t released = std::upper_bound(w.release.begin(), w.release.end(), t) - w.release.begin();
      chosen = sampler.Draw(w, kNumCategories, 0, released, rng);
      assert(chosen != UINT32_MAX);
      chosen_category = w.categories[chosen][0];
    }
    sampler.Take(w, chosen, -1);
    out.items[k] = chosen;

    const double interest =
        std::clamp(std::log(weight[chosen_category] / weight_total * kNumCategories), -3.0, 2.0);
    const double satisfaction =
        leniency + w.quality[chosen] + 0.6 * affinity_of(chosen) + 0.25 * interest + 0.55 * rng.Normal();
    int rating = 1;
    for (double threshold : kRatingThresholds) rating += satisfaction > threshold;
    out.ratings[k] = static_cast<float>(rating);
    out.timestamps[k] = t;
  }
  for (uint32_t k = 0; k < count; ++k) sampler.Take(w, out.items[k], +1);
}

OwnedItemFeatures BuildFeatures(const World& w) {
  OwnedItemFeatures f;
  std::vector<uint32_t> rows, cols;
  for (uint32_t i = 0; i < w.num_items; ++i) {
    for (int8_t c : w.categories[i]) {
      if (c < 0) continue;
      rows.push_back(i);
      cols.push_back(static_cast<uint32_t>(c));
    }
  }
  f.categories = OwnedSparse::Build(w.num_items, rows, cols, std::vector<float>(rows.size(), 1.f), {});
  for (const auto& c : kCategories) f.category_names.emplace_back(c.name);

  rows.clear();
  cols.clear();
  for (uint32_t i = 0; i < w.num_items; ++i) {
    for (uint16_t t : w.tags[i]) {
      rows.push_back(i);
      cols.push_back(t);
    }
  }
  f.tags = OwnedSparse::Build(w.num_items, rows, cols, std::vector<float>(rows.size(), 1.f), {});
  for (const auto& c : kCategories)
    for (const char* t : c.tags) f.tag_names.emplace_back(t);
  for (const auto& s : kStyleTags) f.tag_names.emplace_back(s.name);
  for (const char* t : kTypeNames) f.tag_names.emplace_back(t);

  f.numeric_names = {"price", "difficulty", "duration_hours"};
  f.numeric.reserve(static_cast<size_t>(w.num_items) * 3);
  for (uint32_t i = 0; i < w.num_items; ++i) {
    f.numeric.push_back(w.price[i]);
    f.numeric.push_back(w.difficulty[i]);
    f.numeric.push_back(w.duration_hours[i]);
  }
  f.text = w.titles;
  return f;
}

// ---------------------------------------------------------------------------
// Writing.

// A file written in pieces to a temporary name and renamed when complete,
// so a reader never sees half a file (WriteFileAtomic needs the whole text).
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path path)
      : path_(std::move(path)), tmp_(path_.string() + ".tmp-" + std::to_string(::getpid())) {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error("cannot write " + path_.string() + ": " + std::strerror(errno));
  }
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;
  ~AtomicFileWriter() {
    if (fd_ >= 0) {
      ::close(fd_);
      ::unlink(tmp_.c_str());
    }
  }

  void Write(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        throw Error("cannot write " + path_.string() + ": " + std::strerror(errno));
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
  }

  void Commit() {
    const bool ok = ::fsync(fd_) == 0;
    const int saved = errno;
    const bool closed = ::close(fd_) == 0;
    fd_ = -1;
    if (!ok || !closed) {
      ::unlink(tmp_.c_str());
      throw Error("cannot write " + path_.string() + ": " + std::strerror(ok ? errno : saved));
    }
    if (::rename(tmp_.c_str(), path_.c_str()) != 0) {
      const std::string why = std::strerror(errno);
      ::unlink(tmp_.c_str());
      throw Error("cannot move " + tmp_.string() + " to " + path_.string() + ": " + why);
    }
  }

 private:
  std::filesystem::path path_, tmp_;
  int fd_ = -1;
};

template <typename T>
void AppendNumber(std::string& out, T value) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, end);
}

// The implicit event of a row: how far the user went with the item. Derived
// from the rating (satisfied users go further), the price (free items are
// enrolled in, paid ones purchased), the duration (long courses are
// completed less) and a hash of the row for the noise.
std::string_view EventOf(float rating, float price, float hours, uint32_t user, uint32_t item, int64_t t) {
  static constexpr std::array<double, 5> kViewOnly = {0.55, 0.45, 0.28, 0.14, 0.08};
  static constexpr std::array<double, 5> kComplete = {0.03, 0.06, 0.12, 0.22, 0.35};
  uint64_t h = HashCombine(HashCombine(user, item), static_cast<uint64_t>(t));
  const double u1 = static_cast<double>(SplitMix64(h) >> 11) * 0x1.0p-53;
  const double u2 = static_cast<double>(SplitMix64(h) >> 11) * 0x1.0p-53;
  const int r = std::clamp(static_cast<int>(std::lround(rating)), 1, 5) - 1;
  if (u1 < kViewOnly[r]) return "view";
  const double length_factor = hours <= 3 ? 1.2 : hours <= 15 ? 1.0 : 0.7;
  if (u2 < std::min(0.95, kComplete[r] * length_factor)) return "complete";
  return price > 0 ? "purchase" : "enroll";
}

int NumericColumn(const OwnedItemFeatures& f, std::string_view name) {
  for (size_t c = 0; c < f.numeric_names.size(); ++c)
    if (f.numeric_names[c] == name) return static_cast<int>(c);
  return -1;
}

void WriteItems(const Dataset& d, const std::filesystem::path& path) {
  const OwnedItemFeatures& f = d.item_features;
  const size_t num_numeric = f.numeric_names.size();
  const bool has_categories = f.categories.indptr.size() == d.num_items() + 1;
  const bool has_tags = f.tags.indptr.size() == d.num_items() + 1;
  std::string out = "item,title,type,categories,tags";
  for (const auto& name : f.numeric_names) out += "," + name;
  out += '\n';
  auto append_list = [&](const OwnedSparse& m, const std::vector<std::string>& names, uint32_t i) {
    for (uint64_t p = m.indptr[i]; p < m.indptr[i + 1]; ++p) {
      if (p > m.indptr[i]) out += '|';
      out += names[m.indices[p]];
    }
  };
  for (uint32_t i = 0; i < d.num_items(); ++i) {
    out += d.item_ids[i];
    out += ',';
    if (i < f.text.size()) out += f.text[i];
    out += ',';
    if (has_tags) {
      for (uint64_t p = f.tags.indptr[i]; p < f.tags.indptr[i + 1]; ++p) {
        const std::string& tag = f.tag_names[f.tags.indices[p]];
        if (std::find(kTypeNames.begin(), kTypeNames.end(), tag) != kTypeNames.end()) out += tag;
      }
    }
    out += ',';
    if (has_categories) append_list(f.categories, f.category_names, i);
    out += ',';
    if (has_tags) append_list(f.tags, f.tag_names, i);
    for (size_t c = 0; c < num_numeric; ++c) {
      out += ',';
      AppendNumber(out, f.numeric[i * num_numeric + c]);
    }
    out += '\n';
  }
  WriteFileAtomic(path, out);
}

void WriteInteractions(const Dataset& d, const std::filesystem::path& path) {
  const OwnedItemFeatures& f = d.item_features;
  const int price_col = NumericColumn(f, "price"), hours_col = NumericColumn(f, "duration_hours");
  const size_t num_numeric = f.numeric_names.size();
  auto numeric = [&](uint32_t item, int col, float fallback) {
    return col < 0 ? fallback : f.numeric[item * num_numeric + static_cast<size_t>(col)];
  };

  AtomicFileWriter file(path);
  file.Write("user,item,rating,timestamp,event\n");
  // Rows are formatted in parallel blocks and written in order; a wave of
  // blocks bounds the memory held as text.
  constexpr size_t kBlockRows = size_t{1} << 17;
  constexpr size_t kWaveBlocks = 16;
  const size_t rows = d.size();
  const bool has_time = d.has_timestamps();
  std::vector<std::string> blocks(kWaveBlocks);
  for (size_t wave_start = 0; wave_start < rows; wave_start += kBlockRows * kWaveBlocks) {
    const size_t wave_blocks = std::min(kWaveBlocks, (rows - wave_start + kBlockRows - 1) / kBlockRows);
    tbb::parallel_for(size_t{0}, wave_blocks, [&](size_t b) {
      std::string& out = blocks[b];
      out.clear();
      const size_t begin = wave_start + b * kBlockRows, end = std::min(rows, begin + kBlockRows);
      out.reserve((end - begin) * 40);
      for (size_t r = begin; r < end; ++r) {
        const uint32_t user = d.users[r], item = d.items[r];
        const int64_t t = has_time ? d.timestamps[r] : 0;
        out += d.user_ids[user];
        out += ',';
        out += d.item_ids[item];
        out += ',';
        AppendNumber(out, d.values[r]);
        out += ',';
        if (has_time) AppendNumber(out, t);
        out += ',';
        out +=
            EventOf(d.values[r], numeric(item, price_col, 1.f), numeric(item, hours_col, 5.f), user, item, t);
        out += '\n';
      }
    });
    for (size_t b = 0; b < wave_blocks; ++b) file.Write(blocks[b]);
  }
  file.Commit();
}

}  // namespace

std::vector<std::string> SynthPresets() {
  std::vector<std::string> names;
  for (const auto& p : PresetTable()) names.push_back(p.name);
  return names;
}

const std::vector<SynthPresetInfo>& SynthPresetInfos() {
  return PresetTable();
}

namespace {

struct Sizes {
  uint32_t users = 0, items = 0;
  uint64_t interactions = 0;
  uint32_t per_user_cap = 0;
};

// The preset's sizes with the overrides applied, checked.
Sizes ResolveSizes(const SynthOptions& options) {
  const SynthPresetInfo* preset = nullptr;
  for (const auto& p : PresetTable())
    if (p.name == options.preset) preset = &p;
  if (preset == nullptr) {
    const std::vector<std::string> names = SynthPresets();
    throw Error("unknown synthetic preset '" + options.preset + "'" + DidYouMean(options.preset, names) +
                "; expected one of: " + Join(names, ", "));
  }
  Sizes z;
  z.users = options.users ? options.users : preset->users;
  z.items = options.items ? options.items : preset->items;
  z.interactions = options.interactions ? options.interactions : preset->interactions;
  if (z.items < 4) throw Error("synthetic dataset: items must be at least 4, got " + std::to_string(z.items));
  if (options.days < 30) {
    throw Error("synthetic dataset: days must be at least 30, got " + std::to_string(options.days));
  }
  // each user takes at most a quarter of the catalogue, which is always
  // released by the time anyone joins (a third of it exists from the start)
  z.per_user_cap = z.items / 4;
  if (z.interactions < z.users) {
    throw Error("synthetic dataset: interactions (" + std::to_string(z.interactions) +
                ") must be at least users (" + std::to_string(z.users) +
                "): every user has at least one interaction");
  }
  const uint64_t most = static_cast<uint64_t>(z.users) * z.per_user_cap;
  if (z.interactions > most) {
    throw Error("synthetic dataset: interactions (" + std::to_string(z.interactions) +
                ") must be at most users x items / 4 (" + std::to_string(most) +
                "): one user takes at most a quarter of the catalogue");
  }
  return z;
}

int64_t EndTime(const SynthOptions& options) {
  return options.start_time + static_cast<int64_t>(options.days) * kDay;
}

}  // namespace

std::vector<int64_t> SyntheticReleaseTimes(const SynthOptions& options) {
  const Sizes z = ResolveSizes(options);
  return BuildWorld(options.seed, z.items, options.start_time, EndTime(options)).release;
}

Dataset GenerateSynthetic(const SynthOptions& options) {
  const Sizes z = ResolveSizes(options);
  const uint32_t num_users = z.users, num_items = z.items, cap = z.per_user_cap;
  const uint64_t total = z.interactions;
  const World world = BuildWorld(options.seed, num_items, options.start_time, EndTime(options));

  std::vector<UserPlan> plans(num_users);
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, num_users, 1024), [&](const auto& range) {
    for (uint32_t u = range.begin(); u < range.end(); ++u)
      plans[u] = PlanUser(options.seed, u, num_users, world);
  });
  const std::vector<uint32_t> counts = AllocateInteractions(plans, total, cap);
  std::vector<uint64_t> offset(num_users + 1, 0);
  for (uint32_t u = 0; u < num_users; ++u) offset[u + 1] = offset[u] + counts[u];

  Dataset d;
  d.name = "synthetic-" + options.preset;
  d.user_ids.resize(num_users);
  for (uint32_t u = 0; u < num_users; ++u) d.user_ids[u] = std::to_string(u + 1);
  d.item_ids.resize(num_items);
  for (uint32_t i = 0; i < num_items; ++i) d.item_ids[i] = std::to_string(i + 1);
  d.users.resize(total);
  d.items.resize(total);
  d.values.resize(total);
  d.timestamps.resize(total);
  tbb::enumerable_thread_specific<UserSampler> samplers([&] { return UserSampler(world); });
  tbb::parallel_for(tbb::blocked_range<uint32_t>(0, num_users, 64), [&](const auto& range) {
    UserSampler& sampler = samplers.local();
    for (uint32_t u = range.begin(); u < range.end(); ++u) {
      const uint64_t o = offset[u];
      std::fill(d.users.begin() + o, d.users.begin() + offset[u + 1], u);
      GenerateUser(options.seed, u, plans[u], counts[u], world, sampler,
                   UserOutput{d.items.data() + o, d.values.data() + o, d.timestamps.data() + o});
    }
  });
  d.explicit_feedback = true;
  d.positive_threshold = 4.0;
  d.item_features = BuildFeatures(world);
  d.fingerprint = FingerprintDataset(d);
  return d;
}

void WriteSyntheticDataset(const Dataset& dataset, const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create directory " + dir.string() + ": " + ec.message());
  WriteItems(dataset, dir / "items.csv");
  WriteInteractions(dataset, dir / "interactions.csv");
}

}  // namespace reclift::host
