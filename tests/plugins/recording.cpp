// A recommender that writes down every fit: its parameters and every
// (user, item) pair of the training data it was given, so a test can prove
// that tuning trials never see validation or test interactions.
#include <reclift/reclift.h>

#include <cmath>
#include <cstdio>
#include <mutex>
#include <string>

namespace {
class Recording final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData& d, const reclift::Params& p,
                      const reclift::Context&) override {
    x_ = p.GetFloat("x");
    const std::string path = p.GetString("record");
    popularity_.assign(d.num_items, 0.f);
    std::string line =
        "fit x=" + std::to_string(x_) + " epochs=" + std::to_string(p.GetInt("epochs")) + " pairs=";
    for (uint32_t u = 0; u < d.num_users; ++u) {
      for (uint32_t i : d.by_user.RowIndices(u)) {
        line += std::to_string(u) + ":" + std::to_string(i) + ",";
        popularity_[i] += 1.f;
      }
    }
    line += "\n";
    if (!path.empty()) {
      // trials of a batch are fitted in parallel: one whole line per fit
      static std::mutex mutex;
      std::lock_guard<std::mutex> lock(mutex);
      std::FILE* f = std::fopen(path.c_str(), "a");
      if (f == nullptr) return reclift::Status::Internal("cannot append to " + path);
      std::fputs(line.c_str(), f);
      std::fclose(f);
    }
    if (x_ > 0.9) return reclift::Status::InvalidArgument("x above 0.9 fails on purpose");
    return {};
  }
  // x near 0.7 ranks by popularity, far from it by item id: the validation
  // metric has a known best region
  reclift::Status Score(uint32_t, std::span<const uint32_t> items, std::span<float> out) const override {
    const double closeness = 1.0 - std::abs(x_ - 0.7);
    for (size_t j = 0; j < items.size(); ++j) {
      out[j] = static_cast<float>(closeness * popularity_[items[j]] + (1.0 - closeness) * (items[j] % 13));
    }
    return {};
  }

 private:
  double x_ = 0;
  std::vector<float> popularity_;
};
const reclift::ParamSpec kParams[] = {
    {"x", reclift::ParamType::kFloat, "0.1", 0, 1, nullptr, "the searched knob"},
    {"epochs", reclift::ParamType::kInt, "9", 1, 100, nullptr, "a budget (only recorded)"},
    {"record", reclift::ParamType::kString, "", 0, 0, nullptr, "file every fit is appended to"}};
}  // namespace

RECLIFT_RECOMMENDER_PLUGIN(Recording, "recording", "1.0.0", "Records its training data (tests only)", kParams,
                           0)
