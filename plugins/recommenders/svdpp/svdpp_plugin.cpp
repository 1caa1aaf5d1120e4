// Exports SvdppRecommender as the "svdpp" plugin. The model is the mf_sgd
// one (../mf_sgd/mf_sgd_model.cpp, compiled into this library too) with the
// SVD++ estimate and Surprise's SVDpp defaults.
#include "../mf_sgd/mf_sgd.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(
    reclift::recommenders::SvdppRecommender, "svdpp", "1.1.0",
    "SVD++ (Koren 2008): biased matrix factorisation with the implicit feedback of the "
    "items each user rated, by SGD with Surprise's rules and defaults",
    reclift::recommenders::kSvdppParams,
    reclift::kCapScoreBatch | reclift::kCapPredict | reclift::kCapScoreHistory)
