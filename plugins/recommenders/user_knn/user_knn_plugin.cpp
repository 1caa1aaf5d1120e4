// Exports UserKnnRecommender as the "user_knn" plugin (kept apart from the
// model so that benchmarks can compile the model without a second export).
#include "reclift/plugin.h"
#include "user_knn.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::UserKnnRecommender, "user_knn", "1.0.0",
                           "User-based kNN: sparse top-N neighbours, Surprise's similarities and predictors",
                           reclift::recommenders::kUserKnnParams,
                           reclift::kCapScoreBatch | reclift::kCapPredict | reclift::kCapScoreHistory)
