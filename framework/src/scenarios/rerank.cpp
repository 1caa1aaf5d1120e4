#include "scenarios/rerank.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace reclift::host {

// ---------------------------------------------------------------- ItemSimilarity

ItemSimilarity ItemSimilarity::FromFeatures(const ItemFeaturesView& features, uint32_t num_items) {
  ItemSimilarity s;
  s.num_items_ = num_items;
  s.offsets_.assign(num_items + 1, 0);
  // categories first, then tags shifted past every category id, so the
  // merged ids of an item are sorted and the two kinds never collide
  uint32_t category_span = static_cast<uint32_t>(features.category_names.size());
  for (uint32_t c : features.categories.indices) category_span = std::max(category_span, c + 1);
  const bool has_categories = features.categories.rows() >= num_items;
  const bool has_tags = features.tags.rows() >= num_items;
  for (uint32_t i = 0; i < num_items; ++i) {
    if (has_categories) {
      for (uint32_t c : features.categories.RowIndices(i)) s.ids_.push_back(c);
    }
    if (has_tags) {
      for (uint32_t t : features.tags.RowIndices(i)) s.ids_.push_back(category_span + t);
    }
    s.offsets_[i + 1] = s.ids_.size();
  }
  s.Precompute();
  return s;
}

ItemSimilarity ItemSimilarity::FromCooccurrence(const TrainData& train) {
  ItemSimilarity s;
  s.num_items_ = train.num_items;
  s.offsets_.assign(train.num_items + 1, 0);
  for (uint32_t i = 0; i < train.num_items; ++i) {
    for (uint32_t u : train.by_item.RowIndices(i)) s.ids_.push_back(u);
    s.offsets_[i + 1] = s.ids_.size();
  }
  s.Precompute();
  return s;
}

size_t ItemSimilarity::items_with_vectors() const {
  size_t n = 0;
  for (uint32_t i = 0; i < num_items_; ++i) n += offsets_[i + 1] > offsets_[i] ? 1 : 0;
  return n;
}

float ItemSimilarity::Compute(uint32_t a, uint32_t b) const {
  const uint32_t* pa = ids_.data() + offsets_[a];
  const uint32_t* ea = ids_.data() + offsets_[a + 1];
  const uint32_t* pb = ids_.data() + offsets_[b];
  const uint32_t* eb = ids_.data() + offsets_[b + 1];
  const size_t na = static_cast<size_t>(ea - pa), nb = static_cast<size_t>(eb - pb);
  if (na == 0 || nb == 0) return 0.f;
  size_t common = 0;
  while (pa != ea && pb != eb) {
    if (*pa < *pb) {
      ++pa;
    } else if (*pb < *pa) {
      ++pb;
    } else {
      ++common, ++pa, ++pb;
    }
  }
  return static_cast<float>(static_cast<double>(common) / std::sqrt(static_cast<double>(na) * nb));
}

void ItemSimilarity::Precompute() {
  if (num_items_ == 0 || num_items_ > kDenseLimit) return;
  const size_t n = num_items_;
  std::vector<float> dense(n * n, 0.f);
  tbb::parallel_for(size_t{0}, n, [&](size_t a) {
    for (size_t b = 0; b < n; ++b) {
      dense[a * n + b] = Compute(static_cast<uint32_t>(a), static_cast<uint32_t>(b));
    }
  });
  dense_ = std::move(dense);
}

// ---------------------------------------------------------------- MMR

std::vector<double> NormalisedRelevance(std::span<const float> scores) {
  std::vector<double> r(scores.begin(), scores.end());
  if (r.empty()) return r;
  const auto [low, high] = std::minmax_element(r.begin(), r.end());
  const double lo = *low, range = *high - *low;
  for (double& x : r) x = range > 0 ? (x - lo) / range : 0.0;
  return r;
}

void MmrRerank(std::span<const uint32_t> candidates, std::span<const float> scores,
               const ItemSimilarity& similarity, double lambda, size_t k, std::vector<uint32_t>& out) {
  out.clear();
  const size_t m = candidates.size();
  const size_t n = std::min(k, m);
  const std::vector<double> relevance = NormalisedRelevance(scores);
  std::vector<double> max_similarity(m, 0.0);
  std::vector<char> picked(m, 0);
  for (size_t step = 0; step < n; ++step) {
    size_t best = m;
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < m; ++c) {
      if (picked[c]) continue;
      const double value = (1 - lambda) * relevance[c] - lambda * max_similarity[c];
      if (value > best_value) {  // strict: an earlier candidate wins ties
        best_value = value;
        best = c;
      }
    }
    picked[best] = 1;
    out.push_back(candidates[best]);
    for (size_t c = 0; c < m; ++c) {
      if (!picked[c]) {
        max_similarity[c] = std::max<double>(max_similarity[c], similarity(candidates[c], candidates[best]));
      }
    }
  }
}

// ---------------------------------------------------------------- calibration

CategoryCalibrator::CategoryCalibrator(const ItemFeaturesView& features, uint32_t num_items)
    : features_(&features), num_items_(num_items) {
  num_categories_ = features.category_names.size();
  for (uint32_t c : features.categories.indices) num_categories_ = std::max<size_t>(num_categories_, c + 1);
}

bool CategoryCalibrator::AddItem(uint32_t item, double weight, std::vector<double>& mass) const {
  if (item >= features_->categories.rows()) return false;
  const auto categories = features_->categories.RowIndices(item);
  if (categories.empty()) return false;
  const double share = weight / static_cast<double>(categories.size());
  for (uint32_t c : categories) mass[c] += share;
  return true;
}

std::vector<double> CategoryCalibrator::UserDistribution(std::span<const uint32_t> history) const {
  std::vector<double> p(num_categories_, 0.0);
  size_t counted = 0;
  for (uint32_t item : history) counted += AddItem(item, 1.0, p) ? 1 : 0;
  if (counted == 0) return {};
  for (double& x : p) x /= static_cast<double>(counted);
  return p;
}

double CategoryCalibrator::Kl(std::span<const double> p, std::span<const double> mass, double total) const {
  double kl = 0;
  for (size_t g = 0; g < p.size(); ++g) {
    if (p[g] <= 0) continue;
    const double q = total > 0 ? mass[g] / total : 0.0;
    kl += p[g] * std::log(p[g] / ((1 - kAlpha) * q + kAlpha * p[g]));
  }
  return kl;
}

void CategoryCalibrator::Rerank(std::span<const uint32_t> candidates, std::span<const float> scores,
                                std::span<const double> p, double lambda, size_t k,
                                std::vector<uint32_t>& out) const {
  out.clear();
  const size_t m = candidates.size();
  const size_t n = std::min(k, m);
  if (p.empty()) {  // nothing to calibrate to: the arm's order
    out.assign(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n));
    return;
  }
  const std::vector<double> relevance = NormalisedRelevance(scores);
  std::vector<double> mass(num_categories_, 0.0), trial(num_categories_, 0.0);
  double total = 0, relevance_sum = 0;
  std::vector<char> picked(m, 0);
  for (size_t step = 0; step < n; ++step) {
    size_t best = m;
    double best_value = -std::numeric_limits<double>::infinity();
    for (size_t c = 0; c < m; ++c) {
      if (picked[c]) continue;
      trial = mass;
      const double trial_total = total + (AddItem(candidates[c], 1.0, trial) ? 1.0 : 0.0);
      const double value = (1 - lambda) * (relevance_sum + relevance[c]) - lambda * Kl(p, trial, trial_total);
      if (value > best_value) {
        best_value = value;
        best = c;
      }
    }
    picked[best] = 1;
    total += AddItem(candidates[best], 1.0, mass) ? 1.0 : 0.0;
    relevance_sum += relevance[best];
    out.push_back(candidates[best]);
  }
}

double CategoryCalibrator::Miscalibration(std::span<const double> p, std::span<const uint32_t> list) const {
  if (p.empty() || list.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::vector<double> mass(num_categories_, 0.0);
  double total = 0;
  for (uint32_t item : list) total += AddItem(item, 1.0, mass) ? 1.0 : 0.0;
  return Kl(p, mass, total);
}

}  // namespace reclift::host
