// A small, fast, stable 64-bit hash for id tables and dataset fingerprints.
// Not cryptographic. Words are read little-endian-natively: fingerprints are
// stable across runs, thread counts and little-endian machines.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace reclift::host {

// The murmur3 finaliser: every input bit affects every output bit.
inline uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

namespace hash_detail {
inline uint64_t Step(uint64_t h, uint64_t w) {
  w *= 0xC2B2AE3D27D4EB4FULL;
  h ^= (w << 31) | (w >> 33);
  return ((h << 27) | (h >> 37)) * 0x9E3779B97F4A7C15ULL + 0x52DCE729;
}
}  // namespace hash_detail

// Four independent lanes over 32-byte blocks keep the multiplier busy (a
// single chain of dependent multiplies would be four times slower), then
// the lanes, the tail and the length are folded together.
inline uint64_t HashBytes(const void* data, size_t n, uint64_t seed = 0) {
  using hash_detail::Step;
  const auto* p = static_cast<const unsigned char*>(data);
  const size_t length = n;
  uint64_t lane[4] = {seed ^ 0x243F6A8885A308D3ULL, seed ^ 0x13198A2E03707344ULL,
                      seed ^ 0xA4093822299F31D0ULL, seed ^ 0x082EFA98EC4E6C89ULL};
  while (n >= 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, p + 8 * k, 8);
      lane[k] = Step(lane[k], w);
    }
    p += 32;
    n -= 32;
  }
  uint64_t h = Mix64(lane[0]) ^ Mix64(lane[1] + 1) ^ Mix64(lane[2] + 2) ^ Mix64(lane[3] + 3);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = Step(h, w);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = Step(h, w ^ (uint64_t{n} << 59));
  }
  return Mix64(h ^ (length * 0x9E3779B97F4A7C15ULL));
}

inline uint64_t HashString(std::string_view s, uint64_t seed = 0) {
  return HashBytes(s.data(), s.size(), seed);
}

inline std::string ToHex64(uint64_t h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kDigits[h & 15];
  return out;
}

}  // namespace reclift::host
