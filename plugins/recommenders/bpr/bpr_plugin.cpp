// Exports BprRecommender as the "bpr" plugin (kept apart from the model so
// that benchmarks can compile the model without a second export symbol).
#include "bpr.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(
    reclift::recommenders::BprRecommender, "bpr", "1.0.0",
    "Bayesian Personalised Ranking (Rendle et al. 2009): matrix factorisation with item bias",
    reclift::recommenders::kBprParams, reclift::kCapScoreBatch)
