// A recommender that fails on purpose, in the way its `mode` parameter says,
// to prove that one faulty arm does not take the others down.
#include <reclift/reclift.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {
class Faulty final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData& d, const reclift::Params& p,
                      const reclift::Context& ctx) override {
    mode_ = p.GetString("mode");
    if (mode_ == "fit-throws") throw std::runtime_error("fit exploded on purpose");
    if (mode_ == "fit-error") return reclift::Status::InvalidArgument("fit refused on purpose");
    // the faults a process boundary has to contain
    if (mode_ == "fit-segv") {
      ctx.Warn("about to dereference a bad pointer");
      volatile uintptr_t address = 8;  // a real invalid write, not a raised signal
      *reinterpret_cast<int*>(address) = 1;
    }
    if (mode_ == "fit-abort") std::abort();
    if (mode_ == "fit-slow") std::this_thread::sleep_for(std::chrono::milliseconds(400));  // then fits
    if (mode_ == "fit-hang") {
      for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));
    }
    if (mode_ == "fit-hog") {
      std::vector<char*> kept;  // allocates (and touches) 64 MiB blocks without bound
      for (;;) {
        char* block = new char[64 << 20];
        std::memset(block, 1, 64 << 20);
        kept.push_back(block);
      }
    }
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
const reclift::ParamSpec kParams[] = {
    {"mode", reclift::ParamType::kString, "ok", 0, 0,
     "ok|fit-throws|fit-error|score-throws|nan|fit-segv|fit-abort|fit-hang|fit-hog|fit-slow", "how to fail"}};
}  // namespace

RECLIFT_RECOMMENDER_PLUGIN(Faulty, "faulty", "1.0.0", "Fails on purpose (tests only)", kParams, 0)
