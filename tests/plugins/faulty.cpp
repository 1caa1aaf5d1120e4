// A recommender that fails on purpose, in the way its `mode` parameter says,
// to prove that one faulty arm does not take the others down.
#include <reclift/reclift.h>

#include <cmath>
#include <stdexcept>

namespace {
class Faulty final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData& d, const reclift::Params& p, const reclift::Context&) override {
    mode_ = p.GetString("mode");
    if (mode_ == "fit-throws") throw std::runtime_error("fit exploded on purpose");
    if (mode_ == "fit-error") return reclift::Status::InvalidArgument("fit refused on purpose");
    return {};
  }
  reclift::Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override {
    if (mode_ == "score-throws") throw std::logic_error("score exploded on purpose");
    for (size_t j = 0; j < items.size(); ++j) out[j] = static_cast<float>(items[j] % 7);
    if (mode_ == "nan" && !out.empty()) out[0] = std::nanf("");
    return {};
  }

 private:
  std::string mode_;
};
const reclift::ParamSpec kParams[] = {{"mode", reclift::ParamType::kString, "ok", 0, 0,
                                       "ok|fit-throws|fit-error|score-throws|nan", "how to fail"}};
}  // namespace

RECLIFT_RECOMMENDER_PLUGIN(Faulty, "faulty", "1.0.0", "Fails on purpose (tests only)", kParams, 0)
