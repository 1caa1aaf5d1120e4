#include "interest_clusters.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <limits>
#include <numeric>
#include <random>
#include <string>

namespace reclift::plugins {
namespace {

const ParamSpec kParams[] = {
    {"clusters", ParamType::kInt, "5", 1, 1000, nullptr,
     "number of interest clusters (fewer when users have fewer distinct preference vectors)"},
    {"iterations", ParamType::kInt, "50", 1, 100000, nullptr,
     "most k-means (Lloyd) iterations; stops earlier when no user changes cluster"},
    {"broad_below", ParamType::kFloat, "0.2", 0, 1, nullptr,
     "a cluster whose dominant category has less than this share of its centre is named broad"},
};

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Users' category-preference vectors, sparse: for each clustered user, the
// (category, share) pairs, categories ascending, shares summing to 1.
struct Points {
  std::vector<uint64_t> indptr{0};
  std::vector<uint32_t> category;
  std::vector<double> share;
  size_t size() const { return indptr.size() - 1; }
};

// Squared distance of point p to a dense centre with squared norm `norm2`:
// |m|^2 + sum over the point's categories of (x - m)^2 - m^2. For a centre
// equal to the point this is exactly 0 (same terms, same order), which
// k-means++ relies on to never pick a duplicate point twice.
double Distance(const Points& points, size_t p, const double* centre, double norm2) {
  double correction = 0;
  for (uint64_t e = points.indptr[p]; e < points.indptr[p + 1]; ++e) {
    const double m = centre[points.category[e]];
    const double d = points.share[e] - m;
    correction += d * d - m * m;
  }
  return std::max(0.0, norm2 + correction);
}

double SquaredNorm(const double* centre, size_t num_categories) {
  double sum = 0;
  for (size_t c = 0; c < num_categories; ++c) sum += centre[c] * centre[c];
  return sum;
}

std::string Format(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", x);
  return buf;
}

}  // namespace

std::span<const ParamSpec> InterestClustersParamSpecs() {
  return kParams;
}

Status InterestClustersProfiler::Fit(const TrainData& data, const Params& params, const Context& ctx) {
  const auto wanted_clusters = static_cast<size_t>(params.GetInt("clusters"));
  const auto max_iterations = static_cast<int64_t>(params.GetInt("iterations"));
  const double broad_below = params.GetFloat("broad_below");
  const SparseView& categories = data.item_features.categories;
  if (categories.nnz() == 0) {
    return Status::InvalidArgument(
        "interest_clusters: the items have no categories; interest clusters are built from the categories of "
        "the items each user interacted with, so the dataset needs item categories (an items file with a "
        "category column)");
  }
  size_t num_categories = data.item_features.category_names.size();
  for (uint32_t c : categories.indices) num_categories = std::max<size_t>(num_categories, c + 1);

  // 1. preference vectors: every training interaction counts once, split
  // equally among its item's categories; normalised to shares
  enum Kind : uint8_t { kCold, kUncategorised, kClustered };
  std::vector<uint8_t> kind(data.num_users, kCold);
  std::vector<uint32_t> point_of_user(data.num_users, kNone);
  std::vector<uint32_t> user_of_point;
  Points points;
  std::vector<double> accumulated(num_categories, 0.0);
  std::vector<uint32_t> touched;
  for (uint32_t user = 0; user < data.num_users; ++user) {
    const auto items = data.by_user.RowIndices(user);
    if (items.empty()) continue;
    touched.clear();
    double total = 0;
    for (uint32_t item : items) {
      if (item >= categories.rows() || categories.RowSize(item) == 0) continue;
      const auto row = categories.RowIndices(item);
      const double part = 1.0 / static_cast<double>(row.size());
      for (uint32_t c : row) {
        if (accumulated[c] == 0) touched.push_back(c);
        accumulated[c] += part;
        total += part;
      }
    }
    if (total == 0) {
      kind[user] = kUncategorised;
      continue;
    }
    kind[user] = kClustered;
    point_of_user[user] = static_cast<uint32_t>(points.size());
    user_of_point.push_back(user);
    std::sort(touched.begin(), touched.end());
    for (uint32_t c : touched) {
      points.category.push_back(c);
      points.share.push_back(accumulated[c] / total);
      accumulated[c] = 0;
    }
    points.indptr.push_back(points.category.size());
  }
  const size_t n = points.size();

  // 2. k-means++ seeding from the cell's seed. Uniform numbers are taken from the
  // raw mt19937_64 output (whose sequence the standard fixes), not from a
  // distribution whose algorithm differs between standard libraries.
  std::mt19937_64 rng(ctx.seed);
  auto uniform = [&rng] { return static_cast<double>(rng() >> 11) * 0x1.0p-53; };
  std::vector<double> centres;  // clusters x num_categories, dense
  std::vector<double> centre_norm2;
  auto add_centre = [&](size_t p) {
    centres.resize(centres.size() + num_categories, 0.0);
    double* centre = centres.data() + centres.size() - num_categories;
    for (uint64_t e = points.indptr[p]; e < points.indptr[p + 1]; ++e)
      centre[points.category[e]] = points.share[e];
    centre_norm2.push_back(SquaredNorm(centre, num_categories));
  };
  if (n > 0) {
    add_centre(std::min(n - 1, static_cast<size_t>(uniform() * static_cast<double>(n))));
    std::vector<double> nearest(n);
    for (size_t p = 0; p < n; ++p) nearest[p] = Distance(points, p, centres.data(), centre_norm2[0]);
    while (centre_norm2.size() < wanted_clusters) {
      const double total = std::accumulate(nearest.begin(), nearest.end(), 0.0);
      if (total <= 0) break;  // every point sits on a centre: fewer distinct vectors than clusters
      const double target = uniform() * total;
      double cumulative = 0;
      size_t chosen = kNone;
      for (size_t p = 0; p < n; ++p) {
        if (nearest[p] <= 0) continue;
        chosen = p;  // the last point with weight, should rounding leave target unreached
        cumulative += nearest[p];
        if (cumulative > target) break;
      }
      add_centre(chosen);
      const double* centre = centres.data() + centres.size() - num_categories;
      for (size_t p = 0; p < n; ++p) {
        nearest[p] = std::min(nearest[p], Distance(points, p, centre, centre_norm2.back()));
      }
    }
  }
  const size_t k = centre_norm2.size();

  // 3. Lloyd iterations: assignment in parallel (each point on its own, so the
  // result does not depend on threads), centres summed in user order
  std::vector<uint32_t> assignment(n, kNone);
  int64_t iterations = 0;
  for (; iterations < max_iterations && n > 0; ++iterations) {
    if (ctx.IsCancelled()) return Status::Internal("interest_clusters: cancelled");
    std::atomic<bool> changed{false};
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& range) {
      bool any = false;
      for (size_t p = range.begin(); p < range.end(); ++p) {
        uint32_t best = 0;
        double best_distance = std::numeric_limits<double>::infinity();
        for (size_t c = 0; c < k; ++c) {
          const double d = Distance(points, p, centres.data() + c * num_categories, centre_norm2[c]);
          if (d < best_distance) {  // ties: the lowest cluster index
            best_distance = d;
            best = static_cast<uint32_t>(c);
          }
        }
        any = any || assignment[p] != best;
        assignment[p] = best;
      }
      if (any) changed.store(true, std::memory_order_relaxed);
    });
    if (!changed.load()) break;
    std::vector<double> sums(k * num_categories, 0.0);
    std::vector<size_t> members(k, 0);
    for (size_t p = 0; p < n; ++p) {
      ++members[assignment[p]];
      for (uint64_t e = points.indptr[p]; e < points.indptr[p + 1]; ++e) {
        sums[assignment[p] * num_categories + points.category[e]] += points.share[e];
      }
    }
    for (size_t c = 0; c < k; ++c) {
      if (members[c] == 0) continue;  // an emptied cluster keeps its centre
      double* centre = centres.data() + c * num_categories;
      for (size_t j = 0; j < num_categories; ++j) centre[j] = sums[c * num_categories + j] / members[c];
      centre_norm2[c] = SquaredNorm(centre, num_categories);
    }
  }

  // 4. names and display order
  auto category_name = [&](uint32_t c) {
    const auto& names = data.item_features.category_names;
    return c < names.size() && !names[c].empty() ? names[c] : "category_" + std::to_string(c);
  };
  struct Cluster {
    size_t index;
    size_t size = 0;
    uint32_t top = 0, second = kNone;
    double top_weight = 0;
  };
  std::vector<Cluster> clusters(k);
  for (size_t c = 0; c < k; ++c) {
    clusters[c].index = c;
    const double* centre = centres.data() + c * num_categories;
    for (uint32_t j = 0; j < num_categories; ++j) {
      if (centre[j] > centre[clusters[c].top]) clusters[c].top = j;
    }
    clusters[c].top_weight = centre[clusters[c].top];
    double second_weight = 0;
    for (uint32_t j = 0; j < num_categories; ++j) {
      if (j != clusters[c].top && centre[j] > second_weight) {
        second_weight = centre[j];
        clusters[c].second = j;
      }
    }
  }
  for (uint32_t a : assignment) ++clusters[a].size;
  std::vector<Cluster> shown;
  for (const auto& c : clusters) {
    if (c.size > 0) shown.push_back(c);  // a cluster every user left is no segment
  }
  std::sort(shown.begin(), shown.end(), [](const Cluster& a, const Cluster& b) {
    if (a.size != b.size) return a.size > b.size;
    if (a.top != b.top) return a.top < b.top;
    if (a.top_weight != b.top_weight) return a.top_weight > b.top_weight;
    return a.index < b.index;
  });
  names_.assign(1, "cold");
  std::vector<uint32_t> segment_of_cluster(k, 0);
  for (const auto& c : shown) {
    // the largest cluster of a dominant category takes its name; later ones
    // add their second category, and a number if that is still taken
    // ("uncategorised" is reserved: segment names must be unique)
    auto taken = [&](const std::string& name) {
      return name == "uncategorised" || std::find(names_.begin(), names_.end(), name) != names_.end();
    };
    // a centre spread thin over many categories is named for what it is, not
    // for a category that holds a few percent of it
    const bool broad = c.top_weight < broad_below;
    std::string name = broad ? "broad" : category_name(c.top);
    if (!broad && taken(name) && c.second != kNone) name += "+" + category_name(c.second);
    const std::string base = name;
    for (int suffix = 2; taken(name); ++suffix) {
      name = base + "_" + std::to_string(suffix);
    }
    segment_of_cluster[c.index] = static_cast<uint32_t>(names_.size());
    names_.push_back(name);
  }
  const bool any_uncategorised = std::count(kind.begin(), kind.end(), kUncategorised) > 0;
  const auto uncategorised_segment = static_cast<uint32_t>(names_.size());
  if (any_uncategorised) names_.push_back("uncategorised");

  segment_of_user_.assign(data.num_users, 0);
  for (uint32_t user = 0; user < data.num_users; ++user) {
    if (kind[user] == kClustered)
      segment_of_user_[user] = segment_of_cluster[assignment[point_of_user[user]]];
    if (kind[user] == kUncategorised) segment_of_user_[user] = uncategorised_segment;
  }

  std::string summary = "interest_clusters: " + std::to_string(shown.size()) + " clusters of " +
                        std::to_string(n) + " users after " + std::to_string(iterations) + " iterations:";
  for (size_t s = 0; s < shown.size(); ++s) {
    summary += (s == 0 ? " " : ", ") + names_[s + 1] + " " + std::to_string(shown[s].size) + " (" +
               Format(shown[s].top_weight) + " " + category_name(shown[s].top) + ")";
  }
  summary += "; cold " + std::to_string(std::count(kind.begin(), kind.end(), kCold)) + ", uncategorised " +
             std::to_string(std::count(kind.begin(), kind.end(), kUncategorised));
  ctx.Info(summary);
  fitted_ = true;
  return Status::Ok();
}

Status InterestClustersProfiler::Segments(std::vector<std::string>& names,
                                          std::span<uint32_t> user_segment) const {
  if (!fitted_) return Status::InvalidArgument("interest_clusters: Segments called before Fit");
  if (user_segment.size() != segment_of_user_.size()) {
    return Status::InvalidArgument("interest_clusters: " + std::to_string(user_segment.size()) +
                                   " segment slots for " + std::to_string(segment_of_user_.size()) +
                                   " users");
  }
  names = names_;
  std::copy(segment_of_user_.begin(), segment_of_user_.end(), user_segment.begin());
  return Status::Ok();
}

}  // namespace reclift::plugins

RECLIFT_PROFILER_PLUGIN(reclift::plugins::InterestClustersProfiler, "interest_clusters", "1.0.0",
                        "Users by k-means clusters of their category preferences, named by dominant category",
                        reclift::plugins::kParams)
