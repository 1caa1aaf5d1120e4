// Exports EaseRecommender as the "ease" plugin (kept apart from the model so
// that benchmarks can compile the model without a second export symbol).
#include "ease.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(reclift::recommenders::EaseRecommender, "ease", "1.1.0",
                           "EASE (Steck 2019): closed-form item-item linear autoencoder",
                           reclift::recommenders::kEaseParams,
                           reclift::kCapScoreBatch | reclift::kCapScoreHistory)
