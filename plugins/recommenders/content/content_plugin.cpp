// Exports ContentRecommender as the "content" plugin (kept apart from the
// model so that benchmarks can compile the model without a second export
// symbol).
#include "content.h"
#include "reclift/plugin.h"

RECLIFT_RECOMMENDER_PLUGIN(
    reclift::recommenders::ContentRecommender, "content", "1.1.0",
    "Content-based: cosine of TF-IDF item vectors (categories, tags, title words) with "
    "the user's profile; scores cold items; optional BPR-learned feature weights",
    reclift::recommenders::kContentParams,
    reclift::kCapScoreBatch | reclift::kCapScoreHistory | reclift::kCapItemFeatures)
