#include "data/id_interner.h"

#include <algorithm>

namespace reclift::host {
namespace {
inline size_t NumberSlot(uint64_t v, size_t mask) {
  return (v * 0x9E3779B97F4A7C15ULL >> 32) & mask;
}
}  // namespace

uint32_t IdInterner::InternNumberSlow(uint64_t v) {
  if (v < kDirectLimit) {
    if (v >= direct_.size()) {
      size_t size = std::max<size_t>(direct_.size(), 1024);
      while (size <= v) size *= 2;
      direct_.resize(size, 0);
    }
    const auto id = static_cast<uint32_t>(keys_.size());
    keys_.push_back(v);
    direct_[v] = id + 1;
    return id;
  }
  if (2 * (numbers_ + 1) > number_slots_.size()) GrowNumbers();
  const size_t mask = number_slots_.size() - 1;
  for (size_t s = NumberSlot(v, mask);; s = (s + 1) & mask) {
    if (number_slots_[s] == v) return number_ids_[s];
    if (number_slots_[s] == kEmpty) {
      const auto id = static_cast<uint32_t>(keys_.size());
      number_slots_[s] = v;
      number_ids_[s] = id;
      keys_.push_back(v);
      ++numbers_;
      return id;
    }
  }
}

uint32_t IdInterner::InternText(std::string_view text) {
  if (2 * (texts_.size() + 1) > text_ids_.size()) GrowTexts();
  const uint64_t h = Hash64(text);
  const size_t mask = text_ids_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const uint32_t slot = text_ids_[s];
    if (slot == 0) {
      const auto id = static_cast<uint32_t>(keys_.size());
      if (owns_strings_) {
        owned_.emplace_back(text);
        text = owned_.back();
      }
      keys_.push_back(kTextBit | texts_.size());
      texts_.push_back(text);
      text_hashes_[s] = h;
      text_ids_[s] = id + 1;
      return id;
    }
    if (text_hashes_[s] == h && Text(slot - 1) == text) return slot - 1;
  }
}

void IdInterner::DropLookup() {
  direct_ = {};
  number_slots_ = {};
  number_ids_ = {};
  text_hashes_ = {};
  text_ids_ = {};
  numbers_ = 0;
}

std::optional<uint32_t> IdInterner::Find(std::string_view text) const {
  uint64_t v;
  if (ParseCanonicalId(text, v)) {
    if (v < kDirectLimit) {
      if (v < direct_.size() && direct_[v] != 0) return direct_[v] - 1;
      return std::nullopt;
    }
    if (number_slots_.empty()) return std::nullopt;
    const size_t mask = number_slots_.size() - 1;
    for (size_t s = NumberSlot(v, mask);; s = (s + 1) & mask) {
      if (number_slots_[s] == v) return number_ids_[s];
      if (number_slots_[s] == kEmpty) return std::nullopt;
    }
  }
  if (text_ids_.empty()) return std::nullopt;
  const uint64_t h = Hash64(text);
  const size_t mask = text_ids_.size() - 1;
  for (size_t s = h & mask;; s = (s + 1) & mask) {
    const uint32_t slot = text_ids_[s];
    if (slot == 0) return std::nullopt;
    if (text_hashes_[s] == h && Text(slot - 1) == text) return slot - 1;
  }
}

void IdInterner::GrowNumbers() {
  const size_t capacity = number_slots_.empty() ? 1024 : number_slots_.size() * 2;
  std::vector<uint64_t> slots(capacity, kEmpty);
  std::vector<uint32_t> ids(capacity);
  const size_t mask = capacity - 1;
  for (size_t s = 0; s < number_slots_.size(); ++s) {
    if (number_slots_[s] == kEmpty) continue;
    size_t t = NumberSlot(number_slots_[s], mask);
    while (slots[t] != kEmpty) t = (t + 1) & mask;
    slots[t] = number_slots_[s];
    ids[t] = number_ids_[s];
  }
  number_slots_.swap(slots);
  number_ids_.swap(ids);
}

void IdInterner::GrowTexts() {
  const size_t capacity = text_ids_.empty() ? 64 : text_ids_.size() * 2;
  std::vector<uint64_t> hashes(capacity);
  std::vector<uint32_t> ids(capacity, 0);
  const size_t mask = capacity - 1;
  for (size_t s = 0; s < text_ids_.size(); ++s) {
    if (text_ids_[s] == 0) continue;
    size_t t = text_hashes_[s] & mask;
    while (ids[t] != 0) t = (t + 1) & mask;
    hashes[t] = text_hashes_[s];
    ids[t] = text_ids_[s];
  }
  text_hashes_.swap(hashes);
  text_ids_.swap(ids);
}

}  // namespace reclift::host
