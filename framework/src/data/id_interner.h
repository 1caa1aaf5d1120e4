// Dense ids for original user/item ids, in order of first appearance.
//
// Ids that are canonical decimal integers ("17", not "017") are kept as
// numbers and looked up in an integer table; anything else is kept as text.
// The two never collide: a canonical integer's text is never looked up as
// text. This keeps the common case (integer ids) free of string hashing.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/hash.h"
#include "data/text_parse.h"

namespace reclift::host {

class IdInterner {
 public:
  // With `owns_strings`, text ids are copied; otherwise the interner keeps
  // views and the caller keeps the text alive (a chunk of a mapped file).
  explicit IdInterner(bool owns_strings) : owns_strings_(owns_strings) {}
  IdInterner(IdInterner&&) = default;
  IdInterner& operator=(IdInterner&&) = default;

  uint32_t Intern(std::string_view text) {
    uint64_t v;
    return ParseCanonicalId(text, v) ? InternNumber(v) : InternText(text);
  }
  uint32_t InternNumber(uint64_t v) {
    // small numbers (the usual 1..N ids) index a plain table: one memory
    // access instead of a probe sequence
    if (v < direct_.size() && direct_[v] != 0) return direct_[v] - 1;
    return InternNumberSlow(v);
  }
  uint32_t InternText(std::string_view text);
  std::optional<uint32_t> Find(std::string_view text) const;

  size_t size() const { return keys_.size(); }
  bool IsNumber(uint32_t id) const { return (keys_[id] & kTextBit) == 0; }
  uint64_t Number(uint32_t id) const { return keys_[id]; }
  std::string_view Text(uint32_t id) const { return texts_[keys_[id] & ~kTextBit]; }
  // Frees the lookup tables, keeping the ids: a chunk's table is not needed
  // once its ids have been merged into the global one.
  void DropLookup();
  std::string ToString(uint32_t id) const {
    return IsNumber(id) ? std::to_string(Number(id)) : std::string(Text(id));
  }
  // Interns the entry `id` of another interner (same kind, same text).
  uint32_t InternFrom(const IdInterner& other, uint32_t id) {
    return other.IsNumber(id) ? InternNumber(other.Number(id)) : InternText(other.Text(id));
  }

 private:
  static constexpr uint64_t kTextBit = 1ULL << 63;
  static constexpr uint64_t kEmpty = ~0ULL;
  // numbers below this use the direct table (at most 16 MiB)
  static constexpr uint64_t kDirectLimit = uint64_t{1} << 22;

  uint32_t InternNumberSlow(uint64_t v);
  void GrowNumbers();
  void GrowTexts();

  bool owns_strings_;
  std::vector<uint64_t> keys_;           // dense id -> number, or kTextBit | text index
  std::vector<std::string_view> texts_;  // text index -> text
  std::deque<std::string> owned_;        // deque: elements never move, views stay valid
  std::vector<uint32_t> direct_;         // number -> dense id + 1 (0 = not seen), numbers < kDirectLimit
  // larger numbers and text: open addressing, linear probing, at most half full
  std::vector<uint64_t> number_slots_;  // number, or kEmpty
  std::vector<uint32_t> number_ids_;
  std::vector<uint64_t> text_hashes_;
  std::vector<uint32_t> text_ids_;  // dense id + 1; 0 = empty slot
  size_t numbers_ = 0;
};

}  // namespace reclift::host
