// A second plugin named "popularity": loading it beside the real one is an error.
#include <reclift/reclift.h>

namespace {
class Dup final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData&, const reclift::Params&, const reclift::Context&) override { return {}; }
  reclift::Status Score(uint32_t, std::span<const uint32_t>, std::span<float> out) const override {
    for (auto& x : out) x = 0;
    return {};
  }
};
}  // namespace
RECLIFT_RECOMMENDER_PLUGIN(Dup, "popularity", "0.0.1", "A duplicate name (tests only)", nullptr, 0)
