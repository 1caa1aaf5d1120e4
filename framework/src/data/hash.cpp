#include "data/hash.h"

#include <cstring>
#include <new>

namespace reclift::host {

Hasher::Hasher(uint64_t seed) : state_(XXH3_createState()) {
  if (state_ == nullptr) throw std::bad_alloc();
  XXH3_64bits_reset_withSeed(state_.get(), seed);
}

Hasher& Hasher::Update(const void* data, size_t n) {
  XXH3_64bits_update(state_.get(), data, n);
  return *this;
}

uint64_t Hasher::Digest() const {
  return XXH3_64bits_digest(state_.get());
}

namespace {

uint64_t LegacyStep(uint64_t h, uint64_t w) {
  w *= 0xC2B2AE3D27D4EB4FULL;
  h ^= (w << 31) | (w >> 33);
  return ((h << 27) | (h >> 37)) * 0x9E3779B97F4A7C15ULL + 0x52DCE729;
}

}  // namespace

uint64_t LegacyStringHash(std::string_view s) {
  // four lanes over 32-byte blocks, then the lanes, the tail and the length
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  size_t n = s.size();
  const size_t length = n;
  uint64_t lane[4] = {0x243F6A8885A308D3ULL, 0x13198A2E03707344ULL, 0xA4093822299F31D0ULL,
                      0x082EFA98EC4E6C89ULL};
  while (n >= 32) {
    for (int k = 0; k < 4; ++k) {
      uint64_t w;
      std::memcpy(&w, p + 8 * k, 8);
      lane[k] = LegacyStep(lane[k], w);
    }
    p += 32;
    n -= 32;
  }
  uint64_t h = Mix64(lane[0]) ^ Mix64(lane[1] + 1) ^ Mix64(lane[2] + 2) ^ Mix64(lane[3] + 3);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = LegacyStep(h, w);
    p += 8;
    n -= 8;
  }
  if (n > 0) {
    uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = LegacyStep(h, w ^ (uint64_t{n} << 59));
  }
  return Mix64(h ^ (length * 0x9E3779B97F4A7C15ULL));
}

}  // namespace reclift::host
