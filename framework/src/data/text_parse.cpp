#include "data/text_parse.h"

#include <charconv>
#include <cmath>
#include <cstring>

namespace reclift::host {

bool SplitFields(std::string_view record, std::string_view delimiter, bool quoting,
                 std::vector<std::string_view>& fields, std::string& scratch, std::string* problem) {
  fields.clear();
  scratch.clear();
  // unescaping never lengthens text, so views into scratch stay valid
  scratch.reserve(record.size());
  const bool tab_delimiter = delimiter == "\t";
  auto blank = [&](char c) { return c == ' ' || (c == '\t' && !tab_delimiter); };
  const size_t n = record.size();
  size_t i = 0;
  while (true) {
    size_t j = i;
    while (j < n && blank(record[j])) ++j;
    if (quoting && j < n && record[j] == '"') {
      const size_t out_start = scratch.size();
      ++j;
      while (true) {
        if (j >= n) {
          if (problem) *problem = "a quoted field is not closed (missing '\"')";
          return false;
        }
        const char c = record[j];
        if (c == '"') {
          if (j + 1 < n && record[j + 1] == '"') {
            scratch.push_back('"');
            j += 2;
            continue;
          }
          ++j;
          break;
        }
        scratch.push_back(c);
        ++j;
      }
      fields.emplace_back(scratch.data() + out_start, scratch.size() - out_start);
      while (j < n && blank(record[j])) ++j;
      if (j == n) return true;
      if (record.compare(j, delimiter.size(), delimiter) != 0) {
        if (problem) *problem = "unexpected text after the closing quote of a quoted field";
        return false;
      }
      i = j + delimiter.size();
      continue;
    }
    const size_t d = record.find(delimiter, i);
    if (d == std::string_view::npos) {
      fields.push_back(TrimField(record.substr(i), tab_delimiter));
      return true;
    }
    fields.push_back(TrimField(record.substr(i, d - i), tab_delimiter));
    i = d + delimiter.size();
  }
}

RecordReader::RecordReader(std::string_view text, std::string_view delimiter, bool quoting)
    : text_(text), delimiter_(delimiter), quoting_(quoting && delimiter.size() == 1) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool RecordReader::Next(std::vector<std::string_view>& fields, uint64_t& line, std::string& problem) {
  problem.clear();
  while (pos_ < text_.size()) {
    const size_t start = pos_;
    const uint64_t start_line = line_;
    size_t end = start;
    if (quoting_) {
      // find the newline that ends the record: one outside quoted fields
      const char delim = delimiter_[0];
      bool in_quotes = false, field_start = true;
      for (; end < text_.size(); ++end) {
        const char c = text_[end];
        if (in_quotes) {
          if (c == '"') {
            if (end + 1 < text_.size() && text_[end + 1] == '"') {
              ++end;
            } else {
              in_quotes = false;
            }
          } else if (c == '\n') {
            ++line_;
          }
          continue;
        }
        if (c == '\n') break;
        if (c == delim) {
          field_start = true;
        } else if (c == '"' && field_start) {
          in_quotes = true;
        } else if (c != ' ' && c != '\t') {
          field_start = false;
        }
      }
    } else {
      const void* nl = std::memchr(text_.data() + start, '\n', text_.size() - start);
      end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text_.data()) : text_.size();
    }
    pos_ = end < text_.size() ? end + 1 : end;
    if (end < text_.size()) ++line_;
    std::string_view record = text_.substr(start, end - start);
    if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
    if (record.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    line = start_line;
    last_record_ = record;
    if (!SplitFields(record, delimiter_, quoting_, fields, scratch_, &problem) && problem.empty()) {
      problem = "malformed record";
    }
    return true;
  }
  return false;
}

namespace {
template <class T>
NumberStatus ParseReal(std::string_view s, T& out) {
  if (s.empty()) return NumberStatus::kNotANumber;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;  // from_chars refuses a leading plus; people write it
  auto [p, ec] = std::from_chars(b, e, out);
  if (ec == std::errc::result_out_of_range) return NumberStatus::kNotFinite;
  if (ec != std::errc() || p != e) return NumberStatus::kNotANumber;
  return std::isfinite(out) ? NumberStatus::kOk : NumberStatus::kNotFinite;
}

bool ReadDigits(std::string_view s, size_t& i, size_t count, int& out) {
  if (i + count > s.size()) return false;
  int v = 0;
  for (size_t k = 0; k < count; ++k) {
    const unsigned d = static_cast<unsigned char>(s[i + k]) - '0';
    if (d > 9) return false;
    v = v * 10 + static_cast<int>(d);
  }
  i += count;
  out = v;
  return true;
}

// Days from 1970-01-01 to a proleptic Gregorian date: count whole 400-year
// eras (146097 days each) from 0000-03-01, so that the leap day falls at the
// end of each counted year.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

bool ParseIsoDate(std::string_view s, int64_t& out) {
  size_t i = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(s, i, 4, year) || i >= s.size() || s[i++] != '-' || !ReadDigits(s, i, 2, month) ||
      i >= s.size() || s[i++] != '-' || !ReadDigits(s, i, 2, day)) {
    return false;
  }
  static constexpr int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDaysInMonth[month - 1]) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && day == 29 && !leap) return false;
  int64_t offset_seconds = 0;
  if (i < s.size()) {
    if (s[i] != 'T' && s[i] != ' ') return false;
    ++i;
    if (!ReadDigits(s, i, 2, hour) || i >= s.size() || s[i++] != ':' || !ReadDigits(s, i, 2, minute)) {
      return false;
    }
    if (i < s.size() && s[i] == ':') {
      ++i;
      if (!ReadDigits(s, i, 2, second)) return false;
      if (i < s.size() && s[i] == '.') {  // fractions of a second are dropped
        ++i;
        const size_t digits_start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == digits_start) return false;
      }
    }
    if (hour > 23 || minute > 59 || second > 60) return false;
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      const int sign = s[i++] == '+' ? 1 : -1;
      int oh = 0, om = 0;
      if (!ReadDigits(s, i, 2, oh)) return false;
      if (i < s.size() && s[i] == ':') ++i;
      if (!ReadDigits(s, i, 2, om)) return false;
      offset_seconds = sign * (oh * 3600 + om * 60);
    }
    if (i != s.size()) return false;
  }
  out = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset_seconds;
  return true;
}
}  // namespace

NumberStatus ParseFloat(std::string_view s, float& out) {
  return ParseReal(s, out);
}
NumberStatus ParseDouble(std::string_view s, double& out) {
  return ParseReal(s, out);
}

bool ParseTimestamp(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec == std::errc() && p == s.data() + s.size()) return true;
  if (ec == std::errc() && *p == '.') {  // decimal seconds
    double d;
    if (ParseDouble(s, d) == NumberStatus::kOk && std::fabs(d) < 9e18) {
      out = static_cast<int64_t>(std::floor(d));
      return true;
    }
    return false;
  }
  return ParseIsoDate(s, out);
}

std::string QuoteForMessage(std::string_view s) {
  constexpr size_t kMax = 80;
  bool cut = false;
  if (s.size() > kMax) {
    size_t end = kMax;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // mid-character
    s = s.substr(0, end);
    cut = true;
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"') {
      out += "\\\"";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += '?';
    } else {
      out += c;
    }
  }
  if (cut) out += "...";
  out += '"';
  return out;
}

std::string Latin1ToUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      out += ch;
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace reclift::host
