// Stable 64-bit hashes for id tables, dataset fingerprints and cell keys:
// XXH3 (xxHash 0.8, Debian's libxxhash). Not cryptographic. XXH3's output
// is fixed by its specification on every platform and endianness, so a
// value computed here is a value a later run, another machine or another
// tool (`xxhsum -H3`, Python's xxhash.xxh3_64) computes too.
//
// Thread-safety: the free functions are pure; a Hasher is one caller's.
//
//   uint64_t h = reclift::host::Hash64(bytes.data(), bytes.size());
//   reclift::host::Hasher key;
//   key.Update("als@1.2.0").UpdateValue(seed).Update(bytes.data(), bytes.size());
//   std::string hex = reclift::host::ToHex64(key.Digest());
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace reclift::host {

// XXH3-64 of n bytes with a seed (seed 0 is XXH3's unseeded value).
inline uint64_t Hash64(const void* data, size_t n, uint64_t seed = 0) {
  return XXH3_64bits_withSeed(data, n, seed);
}
inline uint64_t Hash64(std::string_view s, uint64_t seed = 0) {
  return Hash64(s.data(), s.size(), seed);
}

// The same hash fed in pieces: Digest() equals Hash64 of the concatenated
// bytes with the same seed. Digest() may be called at any point and does not
// end the stream. Movable, not copyable.
class Hasher {
 public:
  explicit Hasher(uint64_t seed = 0);
  Hasher(Hasher&&) noexcept = default;
  Hasher& operator=(Hasher&&) noexcept = default;

  Hasher& Update(const void* data, size_t n);
  Hasher& Update(std::string_view s) { return Update(s.data(), s.size()); }
  // The object's bytes (for integers and floats: their little-endian
  // encoding on the machines reclift supports). Not for types with padding.
  template <class T>
  requires std::is_arithmetic_v<T> Hasher& UpdateValue(T value) { return Update(&value, sizeof value); }
  uint64_t Digest() const;

 private:
  struct StateDeleter {
    void operator()(XXH3_state_t* state) const { XXH3_freeState(state); }
  };
  std::unique_ptr<XXH3_state_t, StateDeleter> state_;
};

// The murmur3 finaliser: a bijection of 64-bit words in which every input
// bit affects every output bit (for seeding per-user and per-item streams).
inline uint64_t Mix64(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// The hand-written string hash reclift used before XXH3. Kept for one use:
// random and k-fold splits key each user's stream by it, and changing it
// would reshuffle every user's split. Do not use it for anything new.
uint64_t LegacyStringHash(std::string_view s);

// 16 lower-case hex digits, most significant first.
inline std::string ToHex64(uint64_t h) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[i] = kDigits[h & 15];
  return out;
}

}  // namespace reclift::host
