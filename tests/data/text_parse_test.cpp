// The small parsing pieces under the loaders.
#include "data/text_parse.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "data/hash.h"
#include "data/id_interner.h"
#include "data/interaction_reader.h"
#include "data/line_map.h"

using namespace reclift::host;

TEST_CASE("fields split on the delimiter, with RFC 4180 quoting", "[data][parse]") {
  std::vector<std::string_view> f;
  std::string scratch, problem;
  REQUIRE(SplitFields("a,b,,c", ",", true, f, scratch, &problem));
  CHECK(f == std::vector<std::string_view>{"a", "b", "", "c"});
  REQUIRE(SplitFields("\"x, y\",\"say \"\"hi\"\"\", z ", ",", true, f, scratch, &problem));
  CHECK(f == std::vector<std::string_view>{"x, y", "say \"hi\"", "z"});
  REQUIRE(SplitFields("1::2::3", "::", false, f, scratch, &problem));
  CHECK(f == std::vector<std::string_view>{"1", "2", "3"});
  REQUIRE(SplitFields("5\" screen,2", ",", true, f, scratch, &problem));  // a quote inside is plain text
  CHECK(f == std::vector<std::string_view>{"5\" screen", "2"});
  CHECK_FALSE(SplitFields("\"open,1", ",", true, f, scratch, &problem));
  CHECK(problem == "a quoted field is not closed (missing '\"')");
  CHECK_FALSE(SplitFields("\"a\"b,1", ",", true, f, scratch, &problem));
  CHECK(problem == "unexpected text after the closing quote of a quoted field");
}

TEST_CASE("records may span lines inside quotes and blank lines are skipped", "[data][parse]") {
  RecordReader reader(
      "\xEF\xBB\xBF"
      "a,b\r\n\r\n\"x\ny\",2\nlast,3",
      ",", true);
  std::vector<std::string_view> f;
  uint64_t line = 0;
  std::string problem;
  REQUIRE(reader.Next(f, line, problem));
  CHECK(f == std::vector<std::string_view>{"a", "b"});
  CHECK(line == 1);
  REQUIRE(reader.Next(f, line, problem));
  CHECK(f == std::vector<std::string_view>{"x\ny", "2"});
  CHECK(line == 3);
  REQUIRE(reader.Next(f, line, problem));
  CHECK(f == std::vector<std::string_view>{"last", "3"});
  CHECK(line == 5);
  CHECK_FALSE(reader.Next(f, line, problem));
}

TEST_CASE("only canonical decimal integers are numeric ids", "[data][parse]") {
  uint64_t v = 0;
  CHECK((ParseCanonicalId("0", v) && v == 0));
  CHECK((ParseCanonicalId("138493", v) && v == 138493));
  CHECK((ParseCanonicalId("999999999999999999", v) && v == 999999999999999999ULL));
  CHECK_FALSE(ParseCanonicalId("007", v));
  CHECK_FALSE(ParseCanonicalId("+3", v));
  CHECK_FALSE(ParseCanonicalId("-3", v));
  CHECK_FALSE(ParseCanonicalId("1e3", v));
  CHECK_FALSE(ParseCanonicalId("1000000000000000000", v));  // 19 digits: kept as text
  CHECK_FALSE(ParseCanonicalId("", v));
}

TEST_CASE("numbers parse whole fields and report non-finite values", "[data][parse]") {
  float x = 0;
  CHECK(ParseFloat("3.5", x) == NumberStatus::kOk);
  CHECK(x == 3.5f);
  CHECK(ParseFloat("+2", x) == NumberStatus::kOk);
  CHECK(x == 2.f);
  CHECK(ParseFloat("-1e-3", x) == NumberStatus::kOk);
  CHECK(ParseFloat("3.5x", x) == NumberStatus::kNotANumber);
  CHECK(ParseFloat("", x) == NumberStatus::kNotANumber);
  CHECK(ParseFloat("nan", x) == NumberStatus::kNotFinite);
  CHECK(ParseFloat("-inf", x) == NumberStatus::kNotFinite);
  CHECK(ParseFloat("1e999", x) == NumberStatus::kNotFinite);
}

TEST_CASE("the one-pass decimal reader agrees exactly with from_chars", "[data][parse]") {
  // the fast path must give the same float as a correctly rounded parse for
  // every shape it accepts; random mantissas up to 15 digits, 0..8 decimals
  uint64_t x = 88172645463325252ULL;
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const int digits = 1 + static_cast<int>(x % 15);
    const int decimals = static_cast<int>((x >> 8) % 9);
    std::string s = std::to_string((x >> 16) % 1000000000000000ULL).substr(0, static_cast<size_t>(digits));
    if (decimals > 0 && decimals < static_cast<int>(s.size())) s.insert(s.size() - decimals, ".");
    if ((x >> 60) & 1) s = "-" + s;
    float fast = 0, reference = 0;
    if (!ParseSimpleDecimal(s, fast)) continue;
    REQUIRE(ParseFloat(s, reference) == NumberStatus::kOk);
    INFO(s);
    REQUIRE(fast == reference);
    ++checked;
  }
  CHECK(checked > 150000);
  float v = 0;
  CHECK_FALSE(ParseSimpleDecimal("1e5", v));  // left to the full parser
  CHECK_FALSE(ParseSimpleDecimal("3.", v));
  CHECK_FALSE(ParseSimpleDecimal("1.123456789", v));  // 9 decimals
  CHECK_FALSE(ParseSimpleDecimal("-", v));
  int64_t t = 0;
  CHECK((ParseSimpleInteger("-42", t) && t == -42));
  CHECK_FALSE(ParseSimpleInteger("4.0", t));
}

TEST_CASE("timestamps are integers, decimals or ISO 8601 dates", "[data][parse]") {
  int64_t t = 0;
  CHECK((ParseTimestamp("978300760", t) && t == 978300760));
  CHECK((ParseTimestamp("-5", t) && t == -5));
  CHECK((ParseTimestamp("100.9", t) && t == 100));  // floored
  CHECK((ParseTimestamp("1970-01-01", t) && t == 0));
  CHECK((ParseTimestamp("1970-01-02T00:00:01Z", t) && t == 86401));
  // 2000-03-01 is day 11017: 30 years of 365 days + 7 leap days (72..96) = 10957 to
  // 2000-01-01, + 31 + 29 (2000 is a leap year)
  CHECK((ParseTimestamp("2000-03-01 00:00:00", t) && t == 11017LL * 86400));
  CHECK((ParseTimestamp("1970-01-01T02:00:00+02:00", t) && t == 0));
  CHECK((ParseTimestamp("1970-01-01T00:00:00.250-0100", t) && t == 3600));
  CHECK((ParseTimestamp("1969-12-31", t) && t == -86400));
  CHECK_FALSE(ParseTimestamp("2023-02-29", t));
  CHECK_FALSE(ParseTimestamp("2024-13-01", t));
  CHECK_FALSE(ParseTimestamp("2024-01-01T25:00", t));
  CHECK_FALSE(ParseTimestamp("yesterday", t));
  CHECK_FALSE(ParseTimestamp("", t));
}

TEST_CASE("quoted text in messages is short and shows control characters", "[data][parse]") {
  CHECK(QuoteForMessage("abc") == "\"abc\"");
  CHECK(QuoteForMessage("a\tb\"c") == "\"a\\tb\\\"c\"");
  CHECK(QuoteForMessage(std::string(100, 'y')) == "\"" + std::string(80, 'y') + "...\"");
  // 79 ASCII letters then a 2-byte character across the cut: the whole character goes
  CHECK(QuoteForMessage(std::string(79, 'a') + "\xC3\xA9" + "zz") == "\"" + std::string(79, 'a') + "...\"");
}

TEST_CASE("Latin-1 bytes become two-byte UTF-8", "[data][parse]") {
  CHECK(Latin1ToUtf8("caf\xE9") == "caf\xC3\xA9");
  CHECK(Latin1ToUtf8("\xFF") == "\xC3\xBF");
  CHECK(Latin1ToUtf8("plain") == "plain");
}

TEST_CASE("the delimiter is sniffed from the most frequent candidate outside quotes", "[data][parse]") {
  CHECK(SniffDelimiter("a,b,c") == ",");
  CHECK(SniffDelimiter("a;b;c") == ";");
  CHECK(SniffDelimiter("a\tb") == "\t");
  CHECK(SniffDelimiter("a|b") == "|");
  CHECK(SniffDelimiter("\"x;y;z\",b") == ",");
  CHECK(SniffDelimiter("a,b;c") == ",");  // a tie goes to the comma
  CHECK(SniffDelimiter("abc").empty());
  CHECK(NormaliseDelimiter("\\t") == "\t");
  CHECK(NormaliseDelimiter("tab") == "\t");
  CHECK(NormaliseDelimiter(";") == ";");
  CHECK(NormaliseDelimiter(",,").empty());
}

TEST_CASE("interned ids keep first-appearance order and never mix numbers with text", "[data][parse]") {
  IdInterner ids(true);
  CHECK(ids.Intern("42") == 0);
  CHECK(ids.Intern("abc") == 1);
  CHECK(ids.Intern("042") == 2);  // text, not the number 42
  CHECK(ids.Intern("42") == 0);
  CHECK(ids.Intern("abc") == 1);
  for (int i = 0; i < 5000; ++i) ids.Intern("n" + std::to_string(i));  // forces the tables to grow
  for (int i = 0; i < 5000; ++i) ids.Intern(std::to_string(i + 100));
  CHECK(ids.size() == 3 + 5000 + 5000);
  CHECK(ids.ToString(2) == "042");
  CHECK(*ids.Find("n4999") == 3 + 4999);
  CHECK(*ids.Find("5099") == 3 + 5000 + 4999);
  CHECK_FALSE(ids.Find("missing").has_value());
}

TEST_CASE("line maps give back the line of each row across gaps", "[data][parse]") {
  LineMap lines;
  lines.Add(0, 2);  // rows 0.. start at line 2
  lines.Add(3, 7);  // two blank lines after row 2 (line 4): row 3 is on line 7
  lines.Add(3, 8);  // and one more: the later anchor for the same row wins
  CHECK(lines.LineOf(0) == 2);
  CHECK(lines.LineOf(2) == 4);
  CHECK(lines.LineOf(3) == 8);
  CHECK(lines.LineOf(10) == 15);
}

TEST_CASE("the hash is XXH3: pinned values guard fingerprints and cell keys", "[data][parse]") {
  // XXH3-64 reference values (from `printf ... | xxhsum -H3`, Debian's xxhash): if these
  // change, every stored fingerprint and cell key changes.
  CHECK(ToHex64(Hash64("")) == "2d06800538d394c2");
  CHECK(ToHex64(Hash64("reclift")) == "011e33b7711f1afd");
  CHECK(ToHex64(Hash64("the quick brown fox jumps over the lazy dog")) == "e4541a9cacf545aa");
  CHECK(Hash64("abc") != Hash64("abd"));
  CHECK(Hash64("abcdefgh") != Hash64("abcdefgh", 1));
  CHECK(Hash64(std::string(40, 'a')) != Hash64(std::string(41, 'a')));
  CHECK(ToHex64(0x0123456789abcdefULL) == "0123456789abcdef");
}

TEST_CASE("the streaming hasher equals the one-shot hash of the concatenation", "[data][parse]") {
  const std::string text(1000, 'x');
  for (uint64_t seed : {uint64_t{0}, uint64_t{7}}) {
    Hasher h(seed);
    h.Update("the quick ").Update(std::string_view("brown fox"));
    const uint64_t value = 42;
    h.UpdateValue(value).Update(text.data(), text.size());
    std::string joined = "the quick brown fox";
    joined.append(reinterpret_cast<const char*>(&value), sizeof value);
    joined += text;
    CHECK(h.Digest() == Hash64(joined, seed));
    CHECK(h.Digest() == Hash64(joined, seed));  // Digest does not end the stream
  }
}

TEST_CASE("the legacy string hash that keys split streams keeps its values", "[data][parse]") {
  // the values of reclift's hash before XXH3: random splits depend on them
  CHECK(ToHex64(LegacyStringHash("")) == "e3cd04c5b1294840");
  CHECK(ToHex64(LegacyStringHash("reclift")) == "5b7209d88691ebf9");
  CHECK(ToHex64(LegacyStringHash("the quick brown fox jumps over the lazy dog")) == "3a5f41e487055980");
}
