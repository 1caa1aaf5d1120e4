// Recommender: the interface of a recommender plugin.
//
// A recommender only fits and scores. The host picks the candidate items,
// removes items the user saw in training, cuts the top k, batches users and
// parallelises. Higher scores mean "recommend first"; scores must be finite
// (use a very low finite value, e.g. -1e30f, for "never").
//
// Lifecycle: the host creates an instance, calls Fit once, then any number of
// scoring calls, then destroys it. Scoring calls are made concurrently from
// several threads after Fit returns, so they must be const and thread-safe.
//
// Minimal plugin (see plugin.h for the export macro):
//
//   class MostPopular final : public reclift::Recommender {
//    public:
//     reclift::Status Fit(const reclift::TrainData& d, const reclift::Params&,
//                         const reclift::Context&) override {
//       counts_.assign(d.num_items, 0.f);
//       for (uint32_t i = 0; i < d.num_items; ++i) counts_[i] = d.by_item.RowSize(i);
//       return {};
//     }
//     reclift::Status Score(uint32_t, std::span<const uint32_t> items,
//                           std::span<float> out) const override {
//       for (size_t j = 0; j < items.size(); ++j) out[j] = counts_[items[j]];
//       return {};
//     }
//    private:
//     std::vector<float> counts_;
//   };
#pragma once

#include <cstdint>
#include <span>

#include "reclift/context.h"
#include "reclift/params.h"
#include "reclift/status.h"
#include "reclift/train_data.h"

namespace reclift {

// Optional capabilities, declared in PluginInfo::capabilities so the host
// knows which entry points to call without probing.
enum RecommenderCapability : uint32_t {
  kCapScoreBatch = 1u << 0,    // ScoreBatch is implemented
  kCapPredict = 1u << 1,       // Predict (rating prediction) is implemented
  kCapScoreHistory = 1u << 2,  // ScoreHistory (fold-in of unseen users)
  kCapItemFeatures = 1u << 3,  // uses item features: can score items with no interactions
  kCapComposite = 1u << 4,     // takes child recommenders (SetChildren): hybrids, re-rankers
};

class Recommender;

// A child of a composite recommender, built and fitted by the host from the
// experiment file (`children = [...]` in an arm) before the composite's Fit.
struct ChildRecommender {
  const Recommender* model;  // fitted; owned by the host, valid for the composite's lifetime
  uint32_t capabilities;     // its RecommenderCapability bits
  const char* name;          // its plugin name, for messages
};

class Recommender {
 public:
  virtual ~Recommender() = default;

  // Trains on `data`. `data` stays valid until the instance is destroyed.
  // Returns InvalidArgument for parameter combinations the specs cannot
  // express, Internal for numerical failures.
  virtual Status Fit(const TrainData& data, const Params& params, const Context& ctx) = 0;

  // Scores `items` for a user known at fit time: out[j] is the score of
  // items[j]. out.size() == items.size(). Thread-safe.
  virtual Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const = 0;

  // Scores every item for each user of `users`: out is row-major
  // users.size() x num_items. Implement it when many users can be scored at
  // once faster than one by one (one matrix product for a factor model).
  // Thread-safe.
  virtual Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const {
    (void)users;
    (void)out;
    return Status::NotSupported("ScoreBatch");
  }

  // Predicts the rating of (user, items[j]) into out[j]. Thread-safe.
  virtual Status Predict(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const {
    (void)user;
    (void)items;
    (void)out;
    return Status::NotSupported("Predict");
  }

  // Composite recommenders only (kCapComposite): receives the fitted
  // children, in the order the experiment lists them, before Fit. Return
  // InvalidArgument when their number or capabilities do not fit.
  virtual Status SetChildren(std::span<const ChildRecommender> children) {
    (void)children;
    return Status::NotSupported("SetChildren");
  }

  // Fold-in: scores `items` for a user unseen at fit time, described only by
  // a short history (item ids and values). Thread-safe.
  virtual Status ScoreHistory(std::span<const uint32_t> history_items, std::span<const float> history_values,
                              std::span<const uint32_t> items, std::span<float> out) const {
    (void)history_items;
    (void)history_values;
    (void)items;
    (void)out;
    return Status::NotSupported("ScoreHistory");
  }
};

}  // namespace reclift
