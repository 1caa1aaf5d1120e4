// Little binary files of the engine (split files, cell results): a magic,
// then sections, each a 64-bit byte length followed by its bytes padded to
// 8 bytes, so that arrays of a mapped file can be read in place.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace reclift::host::engine {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string_view magic) {
    out_.append(magic.data(), magic.size());
    Pad();
  }

  template <class T>
  void Array(std::span<const T> a) {
    Bytes(a.data(), a.size() * sizeof(T));
  }
  template <class T>
  void Array(const std::vector<T>& a) {
    Array(std::span<const T>(a));
  }
  void Text(std::string_view s) { Bytes(s.data(), s.size()); }
  void Bytes(const void* p, size_t n) {
    const uint64_t len = n;
    out_.append(reinterpret_cast<const char*>(&len), sizeof len);
    if (n > 0) out_.append(static_cast<const char*>(p), n);
    Pad();
  }
  const std::string& data() const { return out_; }

 private:
  void Pad() { out_.append((8 - out_.size() % 8) % 8, '\0'); }
  std::string out_;
};

// Reads the sections of a buffer in order; throws Error naming `what` when
// the buffer is truncated or its magic differs.
class BinaryReader {
 public:
  BinaryReader(std::string_view buffer, std::string_view magic, std::string what)
      : buf_(buffer), what_(std::move(what)) {
    if (buf_.size() < magic.size() || buf_.substr(0, magic.size()) != magic) Fail("not a reclift file");
    pos_ = (magic.size() + 7) / 8 * 8;
  }
  template <class T>
  std::span<const T> Array() {
    std::string_view b = Section();
    if (b.size() % sizeof(T) != 0) Fail("section size is not a multiple of the element size");
    return {reinterpret_cast<const T*>(b.data()), b.size() / sizeof(T)};
  }
  template <class T>
  std::vector<T> Vector() {
    auto a = Array<T>();
    return {a.begin(), a.end()};
  }
  std::string Text() { return std::string(Section()); }
  bool AtEnd() const { return pos_ >= buf_.size(); }

 private:
  std::string_view Section() {
    if (pos_ + 8 > buf_.size()) Fail("truncated");
    uint64_t len;
    std::memcpy(&len, buf_.data() + pos_, 8);
    pos_ += 8;
    if (len > buf_.size() - pos_) Fail("truncated");
    std::string_view s = buf_.substr(pos_, len);
    pos_ += (len + 7) / 8 * 8;
    return s;
  }
  [[noreturn]] void Fail(const std::string& why) const { throw Error(what_ + ": " + why); }
  std::string_view buf_;
  size_t pos_ = 0;
  std::string what_;
};

}  // namespace reclift::host::engine
