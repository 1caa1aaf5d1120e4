// Exports MfSgdRecommender (SVD) as the "mf_sgd" plugin (kept apart from the
// model so that benchmarks can compile the model without a second export).
#include "mf_sgd.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(
    reclift::recommenders::MfSgdRecommender, "mf_sgd", "1.1.0",
    "Biased matrix factorisation by SGD (Funk SVD; Koren, Bell & Volinsky 2009), Surprise's "
    "SVD rules and defaults",
    reclift::recommenders::kMfSgdParams,
    reclift::kCapScoreBatch | reclift::kCapPredict | reclift::kCapScoreHistory)
