// DenseScorer: scores blocks of users against every item of a factor model
// (score = user row . item row + item bias + row offset) at the speed of the
// CPU's widest vector unit, for a recommender's ScoreBatch.
//
// Reset copies the item factors once, after Fit, into panels of 64 items
// stored factor by factor (64 consecutive floats per factor), so the kernel
// streams a panel from L1 while it keeps a 6 x 64 block of scores in
// registers. The kernel is chosen at run time: AVX-512 (6 users x 64 items
// per step), AVX2 + FMA (3 x 32), or portable C++ that the compiler
// vectorises for the baseline ISA. Eigen compiled for the distribution's
// baseline ISA uses SSE2 only; this is 2-4x faster for the thin products
// (few factors, many items) of recommender scoring.
//
// Results equal the plain sum of products up to float rounding: the AVX
// kernels use fused multiply-adds, so the last bits may differ between
// machines, never between runs on one machine.
//
// Memory: num_items rounded up to 64, times factors floats (a copy of the
// item factors), plus num_items floats of bias.
//
// Thread-safety: Reset is single-caller; ScoreRows is const and may run
// concurrently from many threads.
//
// Usage in a plugin:
//
//   // after Fit
//   scorer_.Reset(item_factors.data(), num_items, factors, factors, item_bias);
//   // in ScoreBatch: gather the block's user rows, then
//   scorer_.ScoreRows(rows.data(), users.size(), factors, {}, out);
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define RECLIFT_DENSE_X86 1
#endif

namespace reclift {

class DenseScorer {
 public:
  static constexpr size_t kPanel = 64;  // items per panel

  // The kernels; kAuto is the widest the CPU has.
  enum class Isa { kAuto, kAvx512, kAvx2, kPortable };

  // Copies `num_items` item rows of `factors` floats, `stride` floats apart,
  // and the optional per-item bias (empty, or num_items values).
  void Reset(const float* item_factors, size_t num_items, size_t factors, size_t stride,
             std::span<const float> item_bias = {}) {
    num_items_ = num_items;
    factors_ = factors;
    const size_t panels = (num_items + kPanel - 1) / kPanel;
    panels_.assign(panels * factors * kPanel, 0.f);
    bias_.assign(panels * kPanel, 0.f);
    for (size_t i = 0; i < num_items; ++i) {
      float* p = panels_.data() + (i / kPanel) * factors * kPanel + i % kPanel;
      const float* row = item_factors + i * stride;
      for (size_t k = 0; k < factors; ++k) p[k * kPanel] = row[k];
      if (!item_bias.empty()) bias_[i] = item_bias[i];
    }
  }

  size_t num_items() const { return num_items_; }
  size_t factors() const { return factors_; }

  // out[r * num_items + i] = sum_k user_rows[r * user_stride + k] * item_i[k]
  //                          + item_bias[i] + (row_offset.empty() ? 0 : row_offset[r])
  // for r < rows. out must hold rows * num_items floats.
  // isa: a particular kernel (tests compare them); it must be Supported().
  void ScoreRows(const float* user_rows, size_t rows, size_t user_stride, std::span<const float> row_offset,
                 std::span<float> out, Isa isa = Isa::kAuto) const {
    const Kernel kernel = Pick(isa);
    const size_t panels = (num_items_ + kPanel - 1) / kPanel;
    for (size_t p = 0; p < panels; ++p) {
      const size_t first = p * kPanel;
      const size_t cols = std::min(kPanel, num_items_ - first);
      const float* panel = panels_.data() + p * factors_ * kPanel;
      kernel(user_rows, rows, user_stride, panel, factors_, bias_.data() + first, out.data() + first,
             num_items_, cols);
      if (!row_offset.empty()) {
        for (size_t r = 0; r < rows; ++r) {
          float* o = out.data() + r * num_items_ + first;
          for (size_t j = 0; j < cols; ++j) o[j] += row_offset[r];
        }
      }
    }
  }

  // Whether this CPU runs the kernel.
  static bool Supported(Isa isa) {
#ifdef RECLIFT_DENSE_X86
    __builtin_cpu_init();
    if (isa == Isa::kAvx512) return __builtin_cpu_supports("avx512f");
    if (isa == Isa::kAvx2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    return true;
#else
    return isa == Isa::kAuto || isa == Isa::kPortable;
#endif
  }

  // The kernel kAuto picks on this CPU.
  static Isa Best() {
    if (Supported(Isa::kAvx512)) return Isa::kAvx512;
    if (Supported(Isa::kAvx2)) return Isa::kAvx2;
    return Isa::kPortable;
  }

  // "avx512", "avx2" or "portable": the kernel ScoreRows uses by default.
  static const char* KernelName() {
    switch (Best()) {
      case Isa::kAvx512: return "avx512";
      case Isa::kAvx2: return "avx2";
      default: return "portable";
    }
  }

 private:
  // One panel: out rows [0, rows) x columns [0, cols) of the panel.
  using Kernel = void (*)(const float* a, size_t rows, size_t as, const float* panel, size_t f,
                          const float* bias, float* out, size_t os, size_t cols);

  static Kernel Pick(Isa isa) {
    static const Isa best = Best();
    if (isa == Isa::kAuto) isa = best;
#ifdef RECLIFT_DENSE_X86
    if (isa == Isa::kAvx512) return &PanelAvx512;
    if (isa == Isa::kAvx2) return &PanelAvx2;
#endif
    return &PanelPortable;
  }

  static void PanelPortable(const float* a, size_t rows, size_t as, const float* panel, size_t f,
                            const float* bias, float* out, size_t os, size_t cols) {
    for (size_t r = 0; r < rows; ++r) {
      float acc[kPanel];
      for (size_t j = 0; j < kPanel; ++j) acc[j] = bias[j];
      for (size_t k = 0; k < f; ++k) {
        const float x = a[r * as + k];
        const float* b = panel + k * kPanel;
        for (size_t j = 0; j < kPanel; ++j) acc[j] += x * b[j];
      }
      std::copy(acc, acc + cols, out + r * os);
    }
  }

#ifdef RECLIFT_DENSE_X86
  // R users x 64 items: 4R accumulators (R = 6 uses 24 of the 32 registers)
  template <int R>
  __attribute__((target("avx512f"), always_inline)) static inline void Block512(const float* a, size_t as,
                                                                                const float* panel, size_t f,
                                                                                const float* bias, float* out,
                                                                                size_t os, size_t cols) {
    __m512 acc[R][4];
    for (int j = 0; j < 4; ++j) {
      const __m512 b = _mm512_loadu_ps(bias + 16 * j);
      for (int r = 0; r < R; ++r) acc[r][j] = b;
    }
    for (size_t k = 0; k < f; ++k) {
      const float* p = panel + k * kPanel;
      const __m512 b0 = _mm512_loadu_ps(p), b1 = _mm512_loadu_ps(p + 16), b2 = _mm512_loadu_ps(p + 32),
                   b3 = _mm512_loadu_ps(p + 48);
      for (int r = 0; r < R; ++r) {
        const __m512 x = _mm512_set1_ps(a[r * as + k]);
        acc[r][0] = _mm512_fmadd_ps(x, b0, acc[r][0]);
        acc[r][1] = _mm512_fmadd_ps(x, b1, acc[r][1]);
        acc[r][2] = _mm512_fmadd_ps(x, b2, acc[r][2]);
        acc[r][3] = _mm512_fmadd_ps(x, b3, acc[r][3]);
      }
    }
    for (int r = 0; r < R; ++r) {
      float* o = out + r * os;
      for (int j = 0; j < 4; ++j) {
        const size_t c = 16 * j;
        if (c + 16 <= cols) {
          _mm512_storeu_ps(o + c, acc[r][j]);
        } else if (c < cols) {
          _mm512_mask_storeu_ps(o + c, static_cast<__mmask16>((1u << (cols - c)) - 1), acc[r][j]);
        }
      }
    }
  }

  __attribute__((target("avx512f"))) static void PanelAvx512(const float* a, size_t rows, size_t as,
                                                             const float* panel, size_t f, const float* bias,
                                                             float* out, size_t os, size_t cols) {
    size_t r = 0;
    for (; r + 6 <= rows; r += 6) Block512<6>(a + r * as, as, panel, f, bias, out + r * os, os, cols);
    switch (rows - r) {
      case 5: Block512<5>(a + r * as, as, panel, f, bias, out + r * os, os, cols); break;
      case 4: Block512<4>(a + r * as, as, panel, f, bias, out + r * os, os, cols); break;
      case 3: Block512<3>(a + r * as, as, panel, f, bias, out + r * os, os, cols); break;
      case 2: Block512<2>(a + r * as, as, panel, f, bias, out + r * os, os, cols); break;
      case 1: Block512<1>(a + r * as, as, panel, f, bias, out + r * os, os, cols); break;
      default: break;
    }
  }

  // R users x 32 items (half a panel): 4R accumulators of the 16 registers
  template <int R>
  __attribute__((target("avx2,fma"), always_inline)) static inline void Block256(const float* a, size_t as,
                                                                                 const float* panel, size_t f,
                                                                                 const float* bias,
                                                                                 float* out, size_t os,
                                                                                 size_t cols) {
    __m256 acc[R][4];
    for (int j = 0; j < 4; ++j) {
      const __m256 b = _mm256_loadu_ps(bias + 8 * j);
      for (int r = 0; r < R; ++r) acc[r][j] = b;
    }
    for (size_t k = 0; k < f; ++k) {
      const float* p = panel + k * kPanel;
      const __m256 b0 = _mm256_loadu_ps(p), b1 = _mm256_loadu_ps(p + 8), b2 = _mm256_loadu_ps(p + 16),
                   b3 = _mm256_loadu_ps(p + 24);
      for (int r = 0; r < R; ++r) {
        const __m256 x = _mm256_set1_ps(a[r * as + k]);
        acc[r][0] = _mm256_fmadd_ps(x, b0, acc[r][0]);
        acc[r][1] = _mm256_fmadd_ps(x, b1, acc[r][1]);
        acc[r][2] = _mm256_fmadd_ps(x, b2, acc[r][2]);
        acc[r][3] = _mm256_fmadd_ps(x, b3, acc[r][3]);
      }
    }
    for (int r = 0; r < R; ++r) {
      float* o = out + r * os;
      for (int j = 0; j < 4; ++j) {
        const size_t c = 8 * j;
        if (c + 8 <= cols) {
          _mm256_storeu_ps(o + c, acc[r][j]);
        } else if (c < cols) {
          alignas(32) float tmp[8];
          _mm256_store_ps(tmp, acc[r][j]);
          std::copy(tmp, tmp + (cols - c), o + c);
        }
      }
    }
  }

  __attribute__((target("avx2,fma"))) static void PanelAvx2(const float* a, size_t rows, size_t as,
                                                            const float* panel, size_t f, const float* bias,
                                                            float* out, size_t os, size_t cols) {
    for (size_t h = 0; h < kPanel && h < cols; h += 32) {
      const size_t hc = std::min<size_t>(32, cols - h);
      size_t r = 0;
      for (; r + 3 <= rows; r += 3) {
        Block256<3>(a + r * as, as, panel + h, f, bias + h, out + r * os + h, os, hc);
      }
      switch (rows - r) {
        case 2: Block256<2>(a + r * as, as, panel + h, f, bias + h, out + r * os + h, os, hc); break;
        case 1: Block256<1>(a + r * as, as, panel + h, f, bias + h, out + r * os + h, os, hc); break;
        default: break;
      }
    }
  }
#endif

  size_t num_items_ = 0;
  size_t factors_ = 0;
  std::vector<float> panels_;  // panel p, factor k, item i % 64 at (p * factors + k) * 64 + i % 64
  std::vector<float> bias_;    // per item, zero-padded to whole panels
};

}  // namespace reclift
