#include "beyond_accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <unordered_map>
#include <utility>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"features", ParamType::kString, "both", 0, 0, "categories|tags|both",
     "ild: the item features (binary) whose cosine distance is averaged over pairs"},
    {"expected_top", ParamType::kInt, "100", 1, 1e9, nullptr,
     "serendipity: items among this many most popular ones are expected, never serendipitous"},
    {"head_share", ParamType::kFloat, "0.8", 0.01, 1, nullptr,
     "long_tail_share: the head is the fewest most popular items holding this share of interactions"},
};

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

using Metric = BeyondAccuracyEvaluator::Metric;

struct MetricInfo {
  Metric metric;
  const char* name;
  bool higher_is_better;
  Aggregation aggregation;
};

// Column order (metric-major); kExposure columns are added per category.
constexpr MetricInfo kMetricInfo[] = {
    {Metric::kCoverage, "coverage", true, Aggregation::kListLevel},
    {Metric::kGini, "gini", false, Aggregation::kListLevel},
    {Metric::kIld, "ild", true, Aggregation::kMeanOverUsers},
    {Metric::kNovelty, "novelty", true, Aggregation::kMeanOverUsers},
    {Metric::kSerendipity, "serendipity", true, Aggregation::kMeanOverUsers},
    {Metric::kArp, "arp", false, Aggregation::kMeanOverUsers},
    {Metric::kLongTailShare, "long_tail_share", true, Aggregation::kMeanOverUsers},
    {Metric::kExposureGap, "exposure_gap", false, Aggregation::kListLevel},
};

// Number of ids a feature kind uses: its names, or more when rows use
// ids beyond them.
uint32_t NumIds(const SparseView& rows, size_t num_names) {
  uint32_t n = static_cast<uint32_t>(num_names);
  for (uint32_t id : rows.indices) n = std::max(n, id + 1);
  return n;
}

// Appends item `item`'s ids of `rows` (+ offset) to `out`; an item beyond the
// view's rows has none.
void AppendIds(const SparseView& rows, uint32_t item, uint32_t offset, std::vector<uint32_t>& out) {
  if (item >= rows.rows()) return;
  for (uint32_t id : rows.RowIndices(item)) out.push_back(id + offset);
}

// Builds a CSR of sorted unique ids per item from categories and/or tags.
void BuildRows(const ItemFeaturesView* features, uint32_t num_items, bool categories, bool tags,
               std::vector<uint64_t>& indptr, std::vector<uint32_t>& ids) {
  indptr.assign(1, 0);
  ids.clear();
  const uint32_t tag_offset =
      features != nullptr && categories ? NumIds(features->categories, features->category_names.size()) : 0;
  std::vector<uint32_t> row;
  for (uint32_t item = 0; item < num_items; ++item) {
    row.clear();
    if (features != nullptr && categories) AppendIds(features->categories, item, 0, row);
    if (features != nullptr && tags) AppendIds(features->tags, item, tag_offset, row);
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    ids.insert(ids.end(), row.begin(), row.end());
    indptr.push_back(ids.size());
  }
}

// repeated[p] is 1 when list[p] already occurs earlier in the list.
std::vector<char> RepeatedPositions(std::span<const uint32_t> list) {
  std::vector<std::pair<uint32_t, size_t>> by_item(list.size());
  for (size_t p = 0; p < list.size(); ++p) by_item[p] = {list[p], p};
  std::sort(by_item.begin(), by_item.end());
  std::vector<char> repeated(list.size(), 0);
  for (size_t j = 1; j < by_item.size(); ++j) {
    if (by_item[j].first == by_item[j - 1].first) repeated[by_item[j].second] = 1;
  }
  return repeated;
}

std::string Format(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", x);
  return buf;
}

}  // namespace

std::span<const ParamSpec> BeyondAccuracyParamSpecs() {
  return kParams;
}

Status BeyondAccuracyEvaluator::Configure(const Params& params, const EvalContext& ctx) {
  if (ctx.ks.empty()) return Status::InvalidArgument("beyond_accuracy: no cut-off k was given");
  for (int k : ctx.ks) {
    if (k <= 0) {
      return Status::InvalidArgument("beyond_accuracy: a cut-off k must be positive, found " +
                                     std::to_string(k));
    }
  }
  if (ctx.num_items == 0)
    return Status::InvalidArgument("beyond_accuracy: the catalogue is empty (num_items = 0)");
  if (ctx.num_users == 0) {
    return Status::InvalidArgument("beyond_accuracy: novelty needs the number of users, but num_users = 0");
  }
  if (ctx.item_popularity.size() != ctx.num_items) {
    return Status::InvalidArgument("beyond_accuracy: item_popularity has " +
                                   std::to_string(ctx.item_popularity.size()) + " entries for " +
                                   std::to_string(ctx.num_items) + " items");
  }
  for (uint32_t item = 0; item < ctx.num_items; ++item) {
    const float pop = ctx.item_popularity[item];
    if (!std::isfinite(pop) || pop < 0) {
      return Status::InvalidArgument("beyond_accuracy: item " + std::to_string(item) + " has popularity " +
                                     Format(pop) + "; expected a finite count >= 0");
    }
  }
  num_items_ = ctx.num_items;
  ks_.assign(ctx.ks.begin(), ctx.ks.end());
  std::sort(ks_.begin(), ks_.end());
  ks_.erase(std::unique(ks_.begin(), ks_.end()), ks_.end());

  // popularity tables
  popularity_.assign(ctx.item_popularity.begin(), ctx.item_popularity.end());
  self_information_.resize(num_items_);
  for (uint32_t item = 0; item < num_items_; ++item) {
    // an item nobody interacted with counts as seen once, so novelty stays finite
    const double share = std::min(1.0, std::max(popularity_[item], 1.0) / ctx.num_users);
    self_information_[item] = -std::log2(share);
  }
  std::vector<uint32_t> by_popularity(num_items_);
  std::iota(by_popularity.begin(), by_popularity.end(), 0u);
  std::stable_sort(by_popularity.begin(), by_popularity.end(),
                   [&](uint32_t a, uint32_t b) { return popularity_[a] > popularity_[b]; });
  // expected: fewer than expected_top items are strictly more popular (ties at
  // the boundary are all in), and the item has been seen at all
  const auto expected_top = static_cast<uint64_t>(params.GetInt("expected_top"));
  expected_.assign(num_items_, 0);
  {
    size_t more_popular = 0;  // items strictly more popular than the current run of ties
    for (size_t pos = 0; pos < by_popularity.size(); ++pos) {
      const uint32_t item = by_popularity[pos];
      if (pos > 0 && popularity_[item] < popularity_[by_popularity[pos - 1]]) more_popular = pos;
      if (more_popular >= expected_top || popularity_[item] <= 0) break;
      expected_[item] = 1;
    }
  }
  // head: the most popular items down to the popularity at which their
  // interactions first reach head_share of all (ties of that popularity included)
  const double head_share = params.GetFloat("head_share");
  head_.assign(num_items_, 0);
  const double total = std::accumulate(popularity_.begin(), popularity_.end(), 0.0);
  if (total > 0) {
    const double needed = head_share * total * (1 - 1e-12);  // "at least", robust to rounding
    double cumulative = 0;
    double threshold = 0;
    for (uint32_t item : by_popularity) {
      cumulative += popularity_[item];
      if (cumulative >= needed) {
        threshold = popularity_[item];
        break;
      }
    }
    for (uint32_t item = 0; item < num_items_; ++item) {
      head_[item] = popularity_[item] > 0 && popularity_[item] >= threshold ? 1 : 0;
    }
  }

  // features for ild
  const std::string& features = params.GetString("features");
  BuildRows(ctx.item_features, num_items_, features != "tags", features != "categories", feature_indptr_,
            feature_ids_);
  has_features_ = !feature_ids_.empty();

  // categories for exposure
  BuildRows(ctx.item_features, num_items_, true, false, category_indptr_, category_ids_);
  category_names_.clear();
  catalogue_share_.clear();
  if (!category_ids_.empty()) {
    const uint32_t num_categories =
        NumIds(ctx.item_features->categories, ctx.item_features->category_names.size());
    std::vector<std::string> seen;
    for (uint32_t c = 0; c < num_categories; ++c) {
      std::string name =
          c < ctx.item_features->category_names.size() ? ctx.item_features->category_names[c] : "";
      if (name.empty()) name = "category_" + std::to_string(c);
      // column names must be unique even when category names are not
      if (std::find(seen.begin(), seen.end(), name) != seen.end()) name += "#" + std::to_string(c);
      seen.push_back(name);
      category_names_.push_back(name);
    }
    catalogue_share_.assign(num_categories, 0.0);
    for (uint32_t item = 0; item < num_items_; ++item) {
      const uint64_t begin = category_indptr_[item], end = category_indptr_[item + 1];
      for (uint64_t p = begin; p < end; ++p) {
        catalogue_share_[category_ids_[p]] += 1.0 / static_cast<double>(end - begin) / num_items_;
      }
    }
  }

  // columns
  columns_.clear();
  slots_.clear();
  for (const auto& info : kMetricInfo) {
    if (info.metric == Metric::kIld && !has_features_) continue;
    if (info.metric == Metric::kExposureGap && category_names_.empty()) continue;
    for (size_t ki = 0; ki < ks_.size(); ++ki) {
      columns_.push_back({std::string(info.name) + "@" + std::to_string(ks_[ki]), info.name, ks_[ki],
                          info.higher_is_better, info.aggregation});
      slots_.push_back({info.metric, ki, 0});
    }
  }
  for (size_t ki = 0; ki < ks_.size(); ++ki) {
    for (uint32_t c = 0; c < category_names_.size(); ++c) {
      columns_.push_back({"exposure@" + std::to_string(ks_[ki]) + ":" + category_names_[c], "exposure",
                          ks_[ki], true, Aggregation::kListLevel, /*directional=*/false});
      slots_.push_back({Metric::kExposure, ki, c});
    }
  }
  configured_ = true;
  return Status::Ok();
}

std::vector<MetricColumn> BeyondAccuracyEvaluator::Columns() const {
  return columns_;
}

Status BeyondAccuracyEvaluator::DistinctTop(const UserEvalInput& user, size_t max_k,
                                            std::vector<uint32_t>& items,
                                            std::vector<size_t>& length_at_k) const {
  const size_t length = std::min(user.ranked.size(), max_k);
  const auto list = user.ranked.first(length);
  for (uint32_t item : list) {
    if (item >= num_items_) {
      return Status::InvalidArgument("beyond_accuracy: user " + std::to_string(user.user) +
                                     "'s list holds item " + std::to_string(item) +
                                     ", outside the catalogue of " + std::to_string(num_items_) + " items");
    }
  }
  const std::vector<char> repeated = RepeatedPositions(list);
  items.clear();
  length_at_k.assign(ks_.size(), 0);
  size_t next = 0;
  for (size_t pos = 0; pos < length; ++pos) {
    if (!repeated[pos]) items.push_back(list[pos]);
    while (next < ks_.size() && static_cast<size_t>(ks_[next]) == pos + 1) length_at_k[next++] = items.size();
  }
  while (next < ks_.size()) length_at_k[next++] = items.size();  // k beyond the list: the whole list
  return Status::Ok();
}

Status BeyondAccuracyEvaluator::EvaluateUser(const UserEvalInput& user, std::span<double> out) const {
  if (!configured_) return Status::InvalidArgument("beyond_accuracy: EvaluateUser called before Configure");
  if (out.size() != columns_.size()) {
    return Status::InvalidArgument("beyond_accuracy: " + std::to_string(out.size()) + " output slots for " +
                                   std::to_string(columns_.size()) + " columns");
  }
  std::vector<uint32_t> items;
  std::vector<size_t> length_at_k;
  RECLIFT_RETURN_IF_ERROR(DistinctTop(user, static_cast<size_t>(ks_.back()), items, length_at_k));

  // running sums over the first n distinct items, read at each cut-off
  struct Running {
    double information = 0;    // sum of self-information
    double popularity = 0;     // sum of training popularity
    size_t long_tail = 0;      // items outside the head
    size_t serendipitous = 0;  // relevant and not expected
    size_t featured = 0;       // items with at least one feature
    double cosine_sum = 0;     // sum over pairs of featured items of their cosine similarity
  };
  std::vector<Running> at_k(ks_.size());
  Running run;
  // ild in O(features) per item: with u_j the unit feature vectors, the sum of
  // pairwise cosines is the sum over items of u_j . (u_1 + ... + u_{j-1}).
  std::unordered_map<uint32_t, double> unit_sum;
  size_t next = 0;
  auto record = [&](size_t n) {
    while (next < ks_.size() && length_at_k[next] == n) at_k[next++] = run;
  };
  record(0);
  for (size_t n = 0; n < items.size(); ++n) {
    const uint32_t item = items[n];
    run.information += self_information_[item];
    run.popularity += popularity_[item];
    run.long_tail += head_[item] ? 0 : 1;
    if (!expected_[item] && std::binary_search(user.relevant.begin(), user.relevant.end(), item)) {
      ++run.serendipitous;
    }
    const uint64_t begin = feature_indptr_[item], end = feature_indptr_[item + 1];
    if (end > begin) {
      const double weight = 1.0 / std::sqrt(static_cast<double>(end - begin));
      double dot = 0;
      for (uint64_t p = begin; p < end; ++p) {
        double& sum = unit_sum[feature_ids_[p]];
        dot += sum * weight;
        sum += weight;
      }
      run.cosine_sum += dot;
      ++run.featured;
    }
    record(n + 1);
  }

  for (size_t c = 0; c < slots_.size(); ++c) {
    const ColumnSlot& slot = slots_[c];
    const Running& r = at_k[slot.k_index];
    const auto n = static_cast<double>(length_at_k[slot.k_index]);
    double value = kUndefined;
    switch (slot.metric) {
      case Metric::kIld:
        if (r.featured >= 2) {
          const double pairs = static_cast<double>(r.featured) * static_cast<double>(r.featured - 1) / 2;
          value = std::clamp(1.0 - r.cosine_sum / pairs, 0.0, 1.0);
        }
        break;
      case Metric::kNovelty:
        if (n > 0) value = r.information / n;
        break;
      case Metric::kSerendipity: value = static_cast<double>(r.serendipitous) / ks_[slot.k_index]; break;
      case Metric::kArp:
        if (n > 0) value = r.popularity / n;
        break;
      case Metric::kLongTailShare:
        if (n > 0) value = static_cast<double>(r.long_tail) / n;
        break;
      default: break;  // list-level
    }
    out[c] = value;
  }
  return Status::Ok();
}

Status BeyondAccuracyEvaluator::EvaluateLists(std::span<const UserEvalInput> users,
                                              std::span<double> out) const {
  if (!configured_) return Status::InvalidArgument("beyond_accuracy: EvaluateLists called before Configure");
  if (out.size() != columns_.size()) {
    return Status::InvalidArgument("beyond_accuracy: " + std::to_string(out.size()) + " output slots for " +
                                   std::to_string(columns_.size()) + " columns");
  }
  const size_t num_ks = ks_.size();
  const size_t num_categories = category_names_.size();
  // exposure[ki][item]: in how many users' top-k lists the item appears
  std::vector<std::vector<uint32_t>> exposure(num_ks, std::vector<uint32_t>(num_items_, 0));
  std::vector<uint64_t> slots(num_ks, 0);
  std::vector<uint32_t> items;
  std::vector<size_t> length_at_k;
  for (const auto& user : users) {
    RECLIFT_RETURN_IF_ERROR(DistinctTop(user, static_cast<size_t>(ks_.back()), items, length_at_k));
    for (size_t ki = 0; ki < num_ks; ++ki) {
      for (size_t n = 0; n < length_at_k[ki]; ++n) ++exposure[ki][items[n]];
      slots[ki] += length_at_k[ki];
    }
  }

  std::vector<double> coverage(num_ks), gini(num_ks, kUndefined), gap(num_ks, kUndefined);
  std::vector<std::vector<double>> category_share(num_ks, std::vector<double>(num_categories, kUndefined));
  for (size_t ki = 0; ki < num_ks; ++ki) {
    const auto& counts = exposure[ki];
    const auto covered = std::count_if(counts.begin(), counts.end(), [](uint32_t c) { return c > 0; });
    coverage[ki] = static_cast<double>(covered) / num_items_;
    if (slots[ki] == 0) continue;  // no list has an item: gini and exposure are 0/0

    // Gini of the counts sorted ascending: sum (2i - n - 1) c_i / (n sum c), i = 1..n
    std::vector<uint32_t> sorted(counts);
    std::sort(sorted.begin(), sorted.end());
    const auto n = static_cast<double>(num_items_);
    double weighted = 0;
    for (size_t i = 0; i < sorted.size(); ++i) weighted += (2.0 * (i + 1) - n - 1) * sorted[i];
    gini[ki] = weighted / (n * static_cast<double>(slots[ki]));

    if (num_categories == 0) continue;
    std::vector<double> share(num_categories, 0.0);
    for (uint32_t item = 0; item < num_items_; ++item) {
      const uint64_t begin = category_indptr_[item], end = category_indptr_[item + 1];
      for (uint64_t p = begin; p < end; ++p) {
        share[category_ids_[p]] += counts[item] / static_cast<double>(end - begin);
      }
    }
    double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
    for (size_t c = 0; c < num_categories; ++c) {
      share[c] /= static_cast<double>(slots[ki]);
      if (catalogue_share_[c] > 0) {
        const double ratio = share[c] / catalogue_share_[c];
        lowest = std::min(lowest, ratio);
        highest = std::max(highest, ratio);
      }
    }
    category_share[ki] = share;
    gap[ki] = highest - lowest;
  }

  for (size_t c = 0; c < slots_.size(); ++c) {
    const ColumnSlot& slot = slots_[c];
    switch (slot.metric) {
      case Metric::kCoverage: out[c] = coverage[slot.k_index]; break;
      case Metric::kGini: out[c] = gini[slot.k_index]; break;
      case Metric::kExposureGap: out[c] = gap[slot.k_index]; break;
      case Metric::kExposure: out[c] = category_share[slot.k_index][slot.category]; break;
      default: break;  // per-user columns are left as they are
    }
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_EVALUATOR_PLUGIN(reclift::plugins::BeyondAccuracyEvaluator, "beyond_accuracy", "1.1.0",
                         "Beyond accuracy: coverage, gini, ild, novelty, serendipity, arp, long_tail_share, "
                         "exposure by category",
                         reclift::plugins::kParams)
