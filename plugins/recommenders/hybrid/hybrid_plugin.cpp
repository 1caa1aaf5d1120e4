// Exports HybridRecommender as the "hybrid" plugin (kept apart from the model
// so that benchmarks can compile the model without a second export symbol).
#include "hybrid.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::HybridRecommender, "hybrid", "1.0.0",
                           "Composite: a collaborative and a content child mixed after per-user "
                           "normalisation (weighted) or switched by user and item history (switching)",
                           reclift::recommenders::kHybridParams,
                           reclift::kCapComposite | reclift::kCapScoreBatch | reclift::kCapScoreHistory |
                               reclift::kCapItemFeatures)
