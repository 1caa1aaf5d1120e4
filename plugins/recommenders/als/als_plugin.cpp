// Exports AlsRecommender as the "als" plugin (kept apart from the model so
// that benchmarks can compile the model without a second export symbol).
#include "als.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(
    reclift::recommenders::AlsRecommender, "als", "1.0.0",
    "Implicit-feedback ALS (Hu, Koren & Volinsky 2008) with conjugate-gradient or exact solves",
    reclift::recommenders::kAlsParams, reclift::kCapScoreBatch | reclift::kCapScoreHistory)
