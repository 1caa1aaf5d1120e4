#include "reclift/dense_scorer.h"

#include <catch2/catch.hpp>
#include <random>

using reclift::DenseScorer;

namespace {
using Isa = DenseScorer::Isa;

const char* Name(Isa isa) {
  switch (isa) {
    case Isa::kAvx512: return "avx512";
    case Isa::kAvx2: return "avx2";
    case Isa::kPortable: return "portable";
    default: return "auto";
  }
}
}  // namespace

TEST_CASE("DenseScorer: a 2 x 3 product worked out by hand", "[dense_scorer]") {
  // items (2 factors): (1, 2), (0, -1), (3, 0.5); bias 0.5, 0, -1
  const float items[] = {1, 2, 0, -1, 3, 0.5f};
  const float bias[] = {0.5f, 0, -1};
  DenseScorer scorer;
  scorer.Reset(items, 3, 2, 2, bias);
  // users (1, 1) and (2, -2), row offsets 10 and 0
  const float users[] = {1, 1, 2, -2};
  const float offset[] = {10, 0};
  for (Isa isa : {Isa::kAuto, Isa::kAvx512, Isa::kAvx2, Isa::kPortable}) {
    if (!DenseScorer::Supported(isa)) continue;
    INFO(Name(isa));
    std::vector<float> out(6, -99.f);
    scorer.ScoreRows(users, 2, 2, offset, out, isa);
    // user 0: 1+2+0.5+10, 0-1+0+10, 3+0.5-1+10;  user 1: 2-4+0.5, 0+2+0, 6-1-1
    CHECK(out == std::vector<float>{13.5f, 9.f, 12.5f, -1.5f, 2.f, 4.f});
  }
}

TEST_CASE("DenseScorer: every kernel equals the plain sum of products for ragged sizes", "[dense_scorer]") {
  std::mt19937 rng(11);
  std::normal_distribution<float> n(0.f, 1.f);
  // items around a panel (64) boundary and rows around the kernels' row
  // blocks (6 and 3); a user stride wider than the factor count
  for (size_t num_items : {1u, 63u, 64u, 65u, 200u}) {
    for (size_t f : {1u, 7u, 64u}) {
      for (size_t rows : {1u, 2u, 5u, 6u, 7u, 13u}) {
        const size_t stride = f + 3;
        std::vector<float> items(num_items * f), bias(num_items), users(rows * stride), offset(rows);
        for (float& x : items) x = n(rng);
        for (float& x : bias) x = n(rng);
        for (float& x : users) x = n(rng);
        for (float& x : offset) x = n(rng);
        DenseScorer scorer;
        scorer.Reset(items.data(), num_items, f, f, bias);
        REQUIRE(scorer.num_items() == num_items);
        for (Isa isa : {Isa::kAvx512, Isa::kAvx2, Isa::kPortable}) {
          if (!DenseScorer::Supported(isa)) continue;
          INFO(Name(isa) << ": " << num_items << " items, " << f << " factors, " << rows << " rows");
          // a sentinel past the end catches a store beyond rows x items
          std::vector<float> out(rows * num_items + 1, 12345.f);
          scorer.ScoreRows(users.data(), rows, stride, offset, std::span<float>(out).first(rows * num_items),
                           isa);
          CHECK(out.back() == 12345.f);
          double worst = 0;
          for (size_t r = 0; r < rows; ++r) {
            for (size_t i = 0; i < num_items; ++i) {
              double want = bias[i] + offset[r];
              for (size_t k = 0; k < f; ++k) want += double(users[r * stride + k]) * items[i * f + k];
              worst = std::max(worst, std::abs(want - out[r * num_items + i]));
            }
          }
          CHECK(worst < 1e-4);
        }
      }
    }
  }
}
