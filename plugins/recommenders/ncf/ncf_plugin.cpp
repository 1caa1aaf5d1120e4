// Exports NcfRecommender as the "ncf" plugin (kept apart from the model so
// that benchmarks can compile the model without a second export symbol).
#include "ncf.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::NcfRecommender, "ncf", "1.0.0",
                           "Neural collaborative filtering (NeuMF, He et al. 2017): GMF and MLP towers, "
                           "binary cross-entropy with sampled negatives, Adam",
                           reclift::recommenders::kNcfParams, reclift::kCapScoreBatch)
