#include "ranking.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"gain", ParamType::kString, "binary", 0, 0, "binary|graded",
     "ndcg gain of a relevant item: 1 (binary) or its relevance value (graded, linear)"},
    {"map_denominator", ParamType::kString, "relevant", 0, 0, "relevant|min_k_relevant",
     "divide map@k by |relevant| (trec_eval map_cut) or by min(k, |relevant|)"},
};

constexpr double kUndefined = std::numeric_limits<double>::quiet_NaN();

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

}  // namespace

std::span<const ParamSpec> RankingParamSpecs() {
  return kParams;
}

Status RankingEvaluator::Configure(const Params& params, const EvalContext& ctx) {
  graded_ = params.GetString("gain") == "graded";
  map_min_k_relevant_ = params.GetString("map_denominator") == "min_k_relevant";
  if (ctx.ks.empty()) return Status::InvalidArgument("ranking: no cut-off k was given");
  for (int k : ctx.ks) {
    if (k <= 0)
      return Status::InvalidArgument("ranking: a cut-off k must be positive, found " + std::to_string(k));
  }
  if (ctx.num_items == 0) {
    return Status::InvalidArgument("ranking: auc needs the catalogue size, but EvalContext.num_items is 0");
  }
  num_items_ = ctx.num_items;
  ks_.assign(ctx.ks.begin(), ctx.ks.end());
  std::sort(ks_.begin(), ks_.end());
  ks_.erase(std::unique(ks_.begin(), ks_.end()), ks_.end());
  discount_.assign(static_cast<size_t>(ks_.back()) + 1, 0.0);
  for (size_t rank = 1; rank < discount_.size(); ++rank) discount_[rank] = 1.0 / std::log2(rank + 1.0);
  configured_ = true;
  return Status::Ok();
}

std::vector<MetricColumn> RankingEvaluator::Columns() const {
  std::vector<MetricColumn> columns;
  for (const char* metric : kMetrics) {
    for (int k : ks_) {
      columns.push_back(
          {std::string(metric) + "@" + std::to_string(k), metric, k, true, Aggregation::kMeanOverUsers});
    }
  }
  return columns;
}

Status RankingEvaluator::EvaluateUser(const UserEvalInput& user, std::span<double> out) const {
  if (!configured_) return Status::InvalidArgument("ranking: EvaluateUser called before Configure");
  const size_t num_ks = ks_.size();
  if (out.size() != kNumMetrics * num_ks) {
    return Status::InvalidArgument("ranking: " + std::to_string(out.size()) + " output slots for " +
                                   std::to_string(kNumMetrics * num_ks) + " columns");
  }
  const auto relevant = user.relevant;
  const auto gains = user.relevant_gain;
  if (!gains.empty() && gains.size() != relevant.size()) {
    return Status::InvalidArgument("ranking: " + std::to_string(relevant.size()) + " relevant items but " +
                                   std::to_string(gains.size()) + " gains");
  }
  auto gain_of = [&](size_t pos) { return graded_ && !gains.empty() ? double{gains[pos]} : 1.0; };
  const size_t num_relevant = relevant.size();
  if (num_relevant == 0) {
    // no relevant test item (e.g. every test rating below the threshold): the
    // user is left out of every ranking metric, as trec_eval skips such queries
    std::fill(out.begin(), out.end(), std::numeric_limits<double>::quiet_NaN());
    return Status::Ok();
  }
  const size_t max_k = static_cast<size_t>(ks_.back());

  // ideal_dcg[m]: DCG of the best possible list of length m, from all relevant
  // items in decreasing gain, for m up to min(max k, |relevant|).
  const size_t ideal_length = std::min(max_k, num_relevant);
  std::vector<double> ideal_gain(num_relevant);
  for (size_t pos = 0; pos < num_relevant; ++pos) ideal_gain[pos] = gain_of(pos);
  std::partial_sort(ideal_gain.begin(), ideal_gain.begin() + ideal_length, ideal_gain.end(),
                    std::greater<double>());
  std::vector<double> ideal_dcg(ideal_length + 1, 0.0);
  for (size_t rank = 1; rank <= ideal_length; ++rank) {
    ideal_dcg[rank] = ideal_dcg[rank - 1] + ideal_gain[rank - 1] * discount_[rank];
  }

  size_t hits = 0;
  size_t first_hit_rank = 0;  // 0: no hit yet
  double dcg = 0;
  double precision_sum = 0;  // sum of precision@r over the ranks r of hits
  // auc: the distinct non-relevant items listed so far, and the sum over hits
  // of the non-relevant items listed above each hit (pairs the list orders wrongly)
  size_t listed_nonrelevant = 0;
  double nonrelevant_above_hits = 0;
  bool catalogue_too_small = false;
  // With P relevant and N = num_items - P non-relevant items, unlisted items tied
  // below the list (U of them non-relevant), h hits and S wrongly ordered pairs:
  // pairs ordered right = h * N - S, plus half of the (P - h) * U tied pairs.
  auto auc = [&]() -> double {
    const auto positives = static_cast<double>(num_relevant);
    const double negatives = static_cast<double>(num_items_) - positives;
    if (num_relevant == 0 || negatives <= 0) return kUndefined;
    const double unlisted_negatives = negatives - static_cast<double>(listed_nonrelevant);
    if (unlisted_negatives < 0) {
      catalogue_too_small = true;
      return kUndefined;
    }
    const double h = static_cast<double>(hits);
    return (h * negatives - nonrelevant_above_hits + 0.5 * (positives - h) * unlisted_negatives) /
           (positives * negatives);
  };
  auto emit = [&](size_t column) {
    const int k = ks_[column];
    const double rel = static_cast<double>(num_relevant);
    const double ideal = ideal_dcg[std::min(static_cast<size_t>(k), num_relevant)];
    const size_t map_denominator =
        map_min_k_relevant_ ? std::min(static_cast<size_t>(k), num_relevant) : num_relevant;
    out[0 * num_ks + column] = static_cast<double>(hits) / k;
    out[1 * num_ks + column] = num_relevant > 0 ? hits / rel : kUndefined;
    out[2 * num_ks + column] = ideal > 0 ? dcg / ideal : kUndefined;
    out[3 * num_ks + column] = hits > 0 ? 1.0 : 0.0;
    out[4 * num_ks + column] = first_hit_rank > 0 ? 1.0 / static_cast<double>(first_hit_rank) : 0.0;
    out[5 * num_ks + column] = map_denominator > 0 ? precision_sum / map_denominator : kUndefined;
    out[6 * num_ks + column] = auc();
  };

  // A relevant item recommended twice counts once: a list cannot earn a hit by
  // repeating itself.
  // The same holds for a repeated non-relevant item in auc: it is one item.
  std::vector<char> already_hit(num_relevant, 0);
  const size_t length = std::min(user.ranked.size(), max_k);
  std::vector<char> repeated = RepeatedPositions(user.ranked.first(length));
  size_t next_column = 0;
  for (size_t rank = 1; rank <= length; ++rank) {
    const uint32_t item = user.ranked[rank - 1];
    const auto found = std::lower_bound(relevant.begin(), relevant.end(), item);
    if (found != relevant.end() && *found == item) {
      const size_t pos = static_cast<size_t>(found - relevant.begin());
      if (!already_hit[pos]) {
        already_hit[pos] = 1;
        ++hits;
        if (first_hit_rank == 0) first_hit_rank = rank;
        dcg += gain_of(pos) * discount_[rank];
        precision_sum += static_cast<double>(hits) / rank;
        nonrelevant_above_hits += static_cast<double>(listed_nonrelevant);
      }
    } else if (!repeated[rank - 1]) {
      ++listed_nonrelevant;
    }
    while (next_column < num_ks && static_cast<size_t>(ks_[next_column]) == rank) emit(next_column++);
  }
  // cut-offs beyond the list's end see the whole list
  while (next_column < num_ks) emit(next_column++);
  if (catalogue_too_small) {
    return Status::InvalidArgument("ranking: user " + std::to_string(user.user) + " has " +
                                   std::to_string(num_relevant + listed_nonrelevant) +
                                   " distinct relevant and listed items, more than the catalogue's " +
                                   std::to_string(num_items_));
  }
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_EVALUATOR_PLUGIN(
    reclift::plugins::RankingEvaluator, "ranking", "1.2.0",
    "Top-k accuracy: precision, recall, ndcg, hit_rate, mrr, map (trec_eval conventions) and auc",
    reclift::plugins::kParams)
