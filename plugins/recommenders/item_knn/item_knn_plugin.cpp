// Exports ItemKnnRecommender as the "item_knn" plugin (kept apart from the
// model so that benchmarks can compile the model without a second export).
#include "item_knn.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::ItemKnnRecommender, "item_knn", "1.0.0",
                           "Item-based kNN: sparse top-N neighbours, Surprise's similarities and predictors",
                           reclift::recommenders::kItemKnnParams,
                           reclift::kCapScoreBatch | reclift::kCapPredict | reclift::kCapScoreHistory)
