// Parsing helpers shared by the dataset loaders: fields of delimited text,
// ids, numbers, timestamps, and quoting of bad input for error messages.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace reclift::host {

// Strips blanks around a field: spaces, and tabs unless the tab is the
// delimiter. Ids and numbers written as "1, 2, 3.5" then read as expected.
inline std::string_view TrimField(std::string_view s, bool tab_is_delimiter) {
  auto blank = [&](char c) { return c == ' ' || (c == '\t' && !tab_is_delimiter); };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Splits one record into trimmed fields. With `quoting`, a field may be
// enclosed in double quotes (RFC 4180: "" inside stands for one quote, and
// the delimiter and newlines lose their meaning); unescaped text goes into
// `scratch`, which must outlive `fields`. A quote inside an unquoted field
// is an ordinary character. Returns false, with `problem` set, for a quoted
// field that is not closed or is followed by something other than the
// delimiter.
bool SplitFields(std::string_view record, std::string_view delimiter, bool quoting,
                 std::vector<std::string_view>& fields, std::string& scratch, std::string* problem);

// Reads records one after another from a whole text: skips a UTF-8 byte
// order mark, strips "\r" before "\n", skips blank lines, and (with quoting
// and a one-character delimiter) lets quoted fields span lines.
class RecordReader {
 public:
  RecordReader(std::string_view text, std::string_view delimiter, bool quoting);

  // The next record's fields and the line it starts on (1-based). Returns
  // false at the end of the text. A malformed record still returns true,
  // with `problem` non-empty and `fields` unspecified.
  bool Next(std::vector<std::string_view>& fields, uint64_t& line, std::string& problem);

  // The raw text of the last record, for error messages.
  std::string_view last_record() const { return last_record_; }

 private:
  std::string_view text_;
  std::string delimiter_;
  bool quoting_;
  size_t pos_ = 0;
  uint64_t line_ = 1;
  std::string scratch_;
  std::string_view last_record_;
};

// Canonical non-negative decimal integers ("0", "17", not "007", "+3" or
// "1e3") of up to 18 digits. Only these are treated as numeric ids, so the
// id text can always be rebuilt exactly from the number.
inline bool ParseCanonicalId(std::string_view s, uint64_t& out) {
  if (s.empty() || s.size() > 18 || (s[0] == '0' && s.size() > 1)) return false;
  uint64_t v = 0;
  for (char c : s) {
    const unsigned d = static_cast<unsigned char>(c) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}

// The common shapes, read in one pass: an optional '-', up to 15 digits and
// at most 8 after a '.', e.g. "4", "3.5", "-0.25". Exact: mantissa and
// 10^k are exact doubles, their quotient is rounded once, and with k <= 8
// rounding that to float cannot land on a different float (a decimal with
// few digits is never within 2^-53 of a float rounding boundary unless on
// it). Returns false for anything else; use ParseFloat then.
inline bool ParseSimpleDecimal(std::string_view s, float& out) {
  static constexpr double kPow10[] = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  i += negative;
  uint64_t mantissa = 0;
  int digits = 0, fraction = -1;
  for (; i < s.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d <= 9) {
      mantissa = mantissa * 10 + d;
      ++digits;
      if (fraction >= 0) ++fraction;
    } else if (s[i] == '.' && fraction < 0) {
      fraction = 0;
    } else {
      return false;
    }
  }
  if (digits == 0 || digits > 15 || fraction > 8 || fraction == 0) return false;
  const double v = static_cast<double>(mantissa) / kPow10[fraction < 0 ? 0 : fraction];
  out = static_cast<float>(negative ? -v : v);
  return true;
}

// A plain integer ("978300760", "-5") of up to 18 digits.
inline bool ParseSimpleInteger(std::string_view s, int64_t& out) {
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  i += negative;
  if (i == s.size() || s.size() - i > 18) return false;
  int64_t v = 0;
  for (; i < s.size(); ++i) {
    const unsigned d = static_cast<unsigned char>(s[i]) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  out = negative ? -v : v;
  return true;
}

enum class NumberStatus { kOk, kNotANumber, kNotFinite };

// A whole field as a number (no trailing text). "nan" and "inf" parse but
// are reported as kNotFinite.
NumberStatus ParseFloat(std::string_view s, float& out);
NumberStatus ParseDouble(std::string_view s, double& out);

// Seconds since the epoch: an integer ("978300760"), a decimal (floored),
// or an ISO 8601 date or date-time in UTC unless an offset is given
// ("2024-03-01", "2024-03-01T12:30:00", "2024-03-01 12:30:00+02:00").
bool ParseTimestamp(std::string_view s, int64_t& out);

// Quotes input text for a message: at most ~80 characters (cut at a UTF-8
// character boundary, with "..."), control characters made visible.
std::string QuoteForMessage(std::string_view s);

// MovieLens' older files are Latin-1; everything inside reclift is UTF-8.
std::string Latin1ToUtf8(std::string_view s);

}  // namespace reclift::host
