// A recommender built twice from this one source, as versions 1.0.0 and
// 2.0.0 (RECLIFT_TEST_VERSION), to check that the history follows a plugin
// across versions. 1.0.0 ranks items by training popularity; 2.0.0 by
// popularity minus a fixed penalty on even item ids, so its metrics differ.
#include <reclift/reclift.h>

#include <string_view>
#include <vector>

#ifndef RECLIFT_TEST_VERSION
#error "define RECLIFT_TEST_VERSION"
#endif

namespace {
class Versioned final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData& data, const reclift::Params&,
                      const reclift::Context&) override {
    count_.assign(data.num_items, 0.0f);
    for (uint32_t i = 0; i < data.num_items; ++i) count_[i] = static_cast<float>(data.by_item.RowSize(i));
    return {};
  }
  reclift::Status Score(uint32_t, std::span<const uint32_t> items, std::span<float> out) const override {
    const bool v2 = std::string_view(RECLIFT_TEST_VERSION) == "2.0.0";
    for (size_t j = 0; j < items.size(); ++j) {
      out[j] = count_[items[j]] - (v2 && items[j] % 2 == 0 ? 1000.0f : 0.0f);
    }
    return {};
  }

 private:
  std::vector<float> count_;
};
}  // namespace
RECLIFT_RECOMMENDER_PLUGIN(Versioned, "versioned", RECLIFT_TEST_VERSION,
                           "Popularity, in two versions (tests of the history only)", nullptr, 0)
