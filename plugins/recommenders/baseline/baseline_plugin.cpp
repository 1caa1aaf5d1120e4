// Exports BaselineRecommender as the "baseline" plugin (kept apart from the
// model so that benchmarks can compile the model without a second export).
#include "baseline.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::BaselineRecommender, "baseline", "1.0.0",
                           "Baseline rating predictor mu + b_u + b_i (Koren 2008), biases by ALS or SGD",
                           reclift::recommenders::kBaselineParams,
                           reclift::kCapScoreBatch | reclift::kCapPredict | reclift::kCapScoreHistory)
