#include "data/interaction_reader.h"

#include <spdlog/spdlog.h>
#include <sys/mman.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstring>
#include <ctime>
#include <optional>

#include "data/mapped_file.h"
#include "data/text_parse.h"
#include "util/text.h"

namespace reclift::host {
namespace {

constexpr size_t kDefaultChunkBytes = size_t{8} << 20;
constexpr size_t kMaxExamples = 3;

enum Role : int8_t { kNone = -1, kUser = 0, kItem = 1, kValue = 2, kTimestamp = 3 };

struct BadRow {
  uint64_t line = 0;
  std::string message;
};

// One piece of the file, cut at line ends. Rows are written straight into
// the output arrays at row_offset (an upper bound: one row per line), so
// chunks never copy their rows around; gaps left by blank or bad lines are
// closed afterwards.
struct Chunk {
  const char* begin;
  const char* end;
  uint64_t first_line = 0;
  uint64_t line_count = 0;
  uint64_t row_offset = 0;
  uint64_t rows = 0;
  uint64_t data_rows = 0;
  uint64_t bad_rows = 0;
  IdInterner users{false};
  IdInterner items{false};
  std::vector<std::pair<uint64_t, uint64_t>> anchors;  // (local row, line) after skipped lines
  std::optional<BadRow> first_error;
  std::vector<BadRow> examples;
};

// SplitFields' problem for one line, with what an unclosed quote means here:
// the reader takes one row per line, so a field cannot span lines.
std::string LineProblem(const std::string& problem) {
  if (problem.starts_with("a quoted field is not closed")) {
    return problem +
           " (interaction files hold one row per line: a line break inside quotes is not supported)";
  }
  return problem;
}

struct Layout {
  std::string delimiter;
  bool quoting = true;
  size_t expected_fields = 0;
  bool fields_from_header = true;
  uint64_t first_line = 1;                  // the header, or the first data line: it sets the field count
  std::vector<int8_t> role_of_field;        // field index -> Role
  std::array<std::string, 4> column_names;  // for messages
  bool has_value = false;
  bool has_timestamp = false;
};

struct Outputs {
  uint32_t* users;
  uint32_t* items;
  float* values;
  int64_t* timestamps;  // null without timestamps
};

std::string_view FirstLine(std::string_view text, size_t& line_end) {
  const size_t nl = text.find('\n');
  line_end = nl == std::string_view::npos ? text.size() : nl + 1;
  std::string_view line = text.substr(0, nl == std::string_view::npos ? text.size() : nl);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Where the time of a big load goes, logged at debug level. CPU time is
// logged beside wall time: on a busy machine the wall time of a parallel
// phase mostly measures waiting for a core.
class PhaseTimer {
 public:
  void Lap(const char* phase) {
    const auto now = std::chrono::steady_clock::now();
    const double cpu = ProcessCpuSeconds();
    text_ += fmt::format("{}{} {:.3f} s (cpu {:.3f} s)", text_.empty() ? "" : ", ", phase,
                         std::chrono::duration<double>(now - last_).count(), cpu - last_cpu_);
    last_ = now;
    last_cpu_ = cpu;
  }
  const std::string& text() const { return text_; }

 private:
  static double ProcessCpuSeconds() {
    timespec t{};
    ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
  }
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  double last_cpu_ = ProcessCpuSeconds();
  std::string text_;
};

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

// The first `delim` or newline in [p, end). Eight bytes at a time: a byte
// of w equal to the delimiter or '\n' is a zero byte of w ^ pattern, and
// ((x & 0x7f..) + 0x7f..) | x has its top bit clear exactly at zero bytes
// (no carry crosses bytes). Fields are short, so one word usually does it.
inline const char* FindFieldEnd(const char* p, const char* end, char delim) {
  constexpr uint64_t kLow7 = 0x7F7F7F7F7F7F7F7FULL, kHigh = 0x8080808080808080ULL;
  const uint64_t delims = 0x0101010101010101ULL * static_cast<unsigned char>(delim);
  const uint64_t newlines = 0x0101010101010101ULL * '\n';
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    const uint64_t a = w ^ delims, b = w ^ newlines;
    const uint64_t hits = ~((((a & kLow7) + kLow7) | a) & (((b & kLow7) + kLow7) | b)) & kHigh;
    if (hits != 0) return p + (__builtin_ctzll(hits) >> 3);  // little-endian: lowest byte first
    p += 8;
  }
  while (p < end && *p != delim && *p != '\n') ++p;
  return p;
}

// Sizes an output array that is about to be overwritten. Hundreds of
// megabytes of fresh memory cost the kernel a page fault and a page to zero
// per 4 KiB; vector::resize would take them all in one thread. So: reserve,
// ask for huge pages, have the kernel populate the pages from every thread
// (MADV_POPULATE_WRITE, Linux 5.14+; older kernels just skip it), and only
// then resize, which now zero-fills memory that is already there.
template <class T>
void SizeForWriting(std::vector<T>& v, size_t n) {
  v.reserve(n);
  const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<uintptr_t>(v.data());
  const uintptr_t end = begin + n * sizeof(T);
  const uintptr_t huge = uintptr_t{2} << 20;
  const uintptr_t huge_first = (begin + huge - 1) & ~(huge - 1), huge_last = end & ~(huge - 1);
  if (huge_last > huge_first) {
    ::madvise(reinterpret_cast<void*>(huge_first), huge_last - huge_first, MADV_HUGEPAGE);
  }
  const uintptr_t first = (begin + page - 1) & ~(page - 1), last = end & ~(page - 1);
  constexpr uintptr_t kPiece = uintptr_t{8} << 20;
  if (last > first + kPiece) {
    tbb::parallel_for(tbb::blocked_range<uintptr_t>(0, (last - first + kPiece - 1) / kPiece, 1),
                      [&](const tbb::blocked_range<uintptr_t>& r) {
                        for (uintptr_t k = r.begin(); k < r.end(); ++k) {
                          const uintptr_t from = first + k * kPiece, to = std::min(last, from + kPiece);
                          ::madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE);
                        }
                      });
  }
  v.resize(n);
}

// Counts newlines 64 bytes at a time into byte-wide lanes, a loop the
// compiler turns into vector compares (std::count is not vectorised).
uint64_t CountNewlines(const char* p, const char* end) {
  uint64_t total = 0;
  while (end - p >= 64) {
    const size_t blocks =
        std::min<size_t>(255, static_cast<size_t>(end - p) / 64);  // lanes must not overflow
    uint8_t lanes[64] = {};
    for (size_t b = 0; b < blocks; ++b, p += 64) {
      for (int j = 0; j < 64; ++j) lanes[j] += p[j] == '\n';
    }
    for (uint8_t n : lanes) total += n;
  }
  for (; p < end; ++p) total += *p == '\n';
  return total;
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

class ChunkParser {
 public:
  ChunkParser(const Layout& layout, const Outputs& out, bool skip_bad_rows,
              std::atomic<size_t>& first_error_chunk)
      : layout_(layout),
        out_(out),
        skip_(skip_bad_rows),
        first_error_chunk_(first_error_chunk),
        tab_delimiter_(layout.delimiter == "\t") {}

  void Parse(size_t chunk_index, Chunk& c) {
    // quoted fields take the slow path; most files have no quote at all
    const bool quotes = layout_.quoting && std::memchr(c.begin, '"', c.end - c.begin) != nullptr;
    if (quotes) {
      // unquoted ids come from `scratch`, which is reused: keep copies
      c.users = IdInterner(true);
      c.items = IdInterner(true);
    }
    const bool fast = !quotes && layout_.delimiter.size() == 1;
    const char delim = layout_.delimiter[0];
    const size_t known = layout_.role_of_field.size();
    const int8_t* roles = layout_.role_of_field.data();
    std::vector<std::string_view> fields;
    std::string scratch, problem;
    uint64_t line = c.first_line;
    uint64_t row = 0;
    const uint64_t out_base = c.row_offset;
    // rows of one user often come together: skip the lookup for a repeat
    uint64_t last_user_number = UINT64_MAX;
    uint32_t last_user_id = 0;
    const char* p = c.begin;
    while (p < c.end) {
      if (!skip_ && (line & 1023) == 0 && first_error_chunk_.load(std::memory_order_relaxed) < chunk_index) {
        return;  // an earlier chunk failed: its error is the one reported
      }
      const uint64_t this_line = line++;
      std::array<std::string_view, 4> v{};
      size_t field_count = 0;
      std::string_view record;
      if (fast) {
        // one pass over the line: each field ends at the delimiter or the newline
        const char* line_start = p;
        while (true) {
          const char* f = p;
          p = FindFieldEnd(p, c.end, delim);
          if (field_count < known && roles[field_count] != kNone)
            v[roles[field_count]] = std::string_view(f, p - f);
          ++field_count;
          if (p < c.end && *p == delim) {
            ++p;
            continue;
          }
          break;
        }
        record = std::string_view(line_start, p - line_start);
        if (p < c.end) ++p;  // the newline
        if (!record.empty() && record.back() == '\r') {
          record.remove_suffix(1);
          const size_t last = field_count - 1;
          if (last < known && roles[last] != kNone) v[roles[last]].remove_suffix(1);
        }
        if (field_count == 1 && IsBlank(record)) {
          c.anchors.emplace_back(row, line);
          continue;
        }
        for (std::string_view& f : v) f = TrimField(f, tab_delimiter_);
        ++c.data_rows;
      } else {
        const char* nl = static_cast<const char*>(std::memchr(p, '\n', c.end - p));
        const char* line_end = nl ? nl : c.end;
        record = std::string_view(p, line_end - p);
        p = nl ? nl + 1 : c.end;
        if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
        if (IsBlank(record)) {
          c.anchors.emplace_back(row, line);
          continue;
        }
        ++c.data_rows;
        if (!SplitFields(record, layout_.delimiter, quotes, fields, scratch, &problem)) {
          if (Bad(chunk_index, c, row, this_line, line,
                  LineProblem(problem) + " in " + QuoteForMessage(record)))
            return;
          continue;
        }
        field_count = fields.size();
        for (size_t i = 0; i < std::min(field_count, known); ++i) {
          if (roles[i] != kNone) v[roles[i]] = fields[i];
        }
      }
      if (field_count != layout_.expected_fields) {
        const std::string message =
            "expected " + std::to_string(layout_.expected_fields) + " fields (as in " +
            (layout_.fields_from_header ? std::string("the header")
                                        : "line " + std::to_string(layout_.first_line)) +
            "), found " + std::to_string(field_count) + ": " + QuoteForMessage(record);
        if (Bad(chunk_index, c, row, this_line, line, message)) return;
        continue;
      }
      std::string bad;
      if (v[kUser].empty()) bad = "empty user id in column '" + layout_.column_names[kUser] + "'";
      if (bad.empty() && v[kItem].empty())
        bad = "empty item id in column '" + layout_.column_names[kItem] + "'";
      float value = 1.f;
      if (bad.empty() && layout_.has_value && !ParseSimpleDecimal(v[kValue], value)) {
        const NumberStatus s = ParseFloat(v[kValue], value);
        if (s == NumberStatus::kNotANumber) {
          bad = "expected a number in column '" + layout_.column_names[kValue] + "', found " +
                QuoteForMessage(v[kValue]);
        } else if (s == NumberStatus::kNotFinite) {
          bad = "expected a finite number in column '" + layout_.column_names[kValue] + "', found " +
                QuoteForMessage(v[kValue]);
        }
      }
      int64_t timestamp = 0;
      if (bad.empty() && layout_.has_timestamp && !ParseSimpleInteger(v[kTimestamp], timestamp) &&
          !ParseTimestamp(v[kTimestamp], timestamp)) {
        bad = "expected a timestamp (seconds since the epoch, or an ISO 8601 date) in column '" +
              layout_.column_names[kTimestamp] + "', found " + QuoteForMessage(v[kTimestamp]);
      }
      if (!bad.empty()) {
        if (Bad(chunk_index, c, row, this_line, line, bad)) return;
        continue;
      }
      const uint64_t at = out_base + row;
      uint64_t number;
      if (ParseCanonicalId(v[kUser], number)) {
        if (number != last_user_number) {
          last_user_id = c.users.InternNumber(number);
          last_user_number = number;
        }
        out_.users[at] = last_user_id;
      } else {
        out_.users[at] = c.users.InternText(v[kUser]);
      }
      out_.items[at] = c.items.Intern(v[kItem]);
      out_.values[at] = value;
      if (out_.timestamps) out_.timestamps[at] = timestamp;
      ++row;
    }
    c.rows = row;
    c.users.DropLookup();
    c.items.DropLookup();
  }

 private:
  // Records a bad row. Returns true when parsing of this chunk must stop.
  bool Bad(size_t chunk_index, Chunk& c, uint64_t row, uint64_t line, uint64_t next_line,
           std::string message) {
    if (!skip_) {
      c.first_error = BadRow{line, std::move(message)};
      c.rows = row;
      size_t current = first_error_chunk_.load();
      while (chunk_index < current && !first_error_chunk_.compare_exchange_weak(current, chunk_index)) {
      }
      return true;
    }
    ++c.bad_rows;
    if (c.examples.size() < kMaxExamples) c.examples.push_back(BadRow{line, std::move(message)});
    c.anchors.emplace_back(row, next_line);
    return false;
  }

  const Layout& layout_;
  Outputs out_;
  bool skip_;
  std::atomic<size_t>& first_error_chunk_;
  bool tab_delimiter_;
};

// Finds a column by header name: exact, else the one case-insensitive match.
std::optional<size_t> FindColumn(const std::vector<std::string>& names, std::string_view wanted) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i] == wanted) return i;
  }
  std::optional<size_t> found;
  const std::string lower = ToLower(wanted);
  for (size_t i = 0; i < names.size(); ++i) {
    if (ToLower(names[i]) == lower) {
      if (found) return std::nullopt;
      found = i;
    }
  }
  return found;
}

SourceLocation KeyLocation(const InteractionFileFormat& f, const std::string& key,
                           const SourceLocation& fallback) {
  auto it = f.column_where.find(key);
  return it != f.column_where.end() && it->second.known() ? it->second : fallback;
}

}  // namespace

std::string SniffDelimiter(std::string_view line) {
  static constexpr char kCandidates[] = {',', '\t', ';', '|'};
  std::array<size_t, 4> counts{};
  bool in_quotes = false;
  for (char c : line) {
    if (c == '"') in_quotes = !in_quotes;
    if (in_quotes) continue;
    for (size_t k = 0; k < 4; ++k) counts[k] += c == kCandidates[k];
  }
  size_t best = 0;
  for (size_t k = 1; k < 4; ++k) {
    if (counts[k] > counts[best]) best = k;
  }
  return counts[best] == 0 ? "" : std::string(1, kCandidates[best]);
}

std::string NormaliseDelimiter(std::string_view d) {
  if (d == "\\t" || d == "tab" || d == "\t") return "\t";
  if (d == "::") return "::";
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r') return "";
  return std::string(d);
}

InteractionColumns ReadInteractions(const InteractionFileFormat& format) {
  PhaseTimer timer;
  InteractionColumns result;
  result.file = format.path.string();
  const std::string& file = result.file;
  const SourceLocation at_file{file};
  MappedFile mapped(format.path, format.where);
  std::string_view text = mapped.text();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);

  // the first non-blank line: the header, or the first data row
  uint64_t first_line_no = 1;
  size_t offset = 0;
  std::string_view first;
  while (offset < text.size()) {
    size_t consumed;
    first = FirstLine(text.substr(offset), consumed);
    if (!IsBlank(first)) break;
    offset += consumed;
    ++first_line_no;
    first = {};
  }
  if (first.empty())
    throw Error(at_file, "the file is empty: expected " +
                             std::string(format.header ? "a header line and " : "") +
                             "one interaction per line");
  const SourceLocation at_first{file, static_cast<int>(first_line_no)};

  Layout layout;
  layout.quoting = format.quoting;
  layout.delimiter =
      format.delimiter == "auto" ? SniffDelimiter(first) : NormaliseDelimiter(format.delimiter);
  if (layout.delimiter.empty()) {
    if (format.delimiter == "auto") {
      throw Error(at_first, "cannot detect the delimiter: the first line has none of ',' ';' '|' or a tab: " +
                                QuoteForMessage(first) + "; set dataset.delimiter");
    }
    throw Error(KeyLocation(format, "delimiter", at_file),
                "delimiter must be one character such as \",\" \";\" \"|\" or \"\\t\", or \"auto\"; found " +
                    QuoteForMessage(format.delimiter));
  }
  result.delimiter = layout.delimiter;

  std::vector<std::string_view> fields;
  std::string scratch, problem;
  if (!SplitFields(first, layout.delimiter, layout.quoting, fields, scratch, &problem)) {
    throw Error(at_first, LineProblem(problem) + " in " + QuoteForMessage(first));
  }
  std::vector<std::string> names(fields.begin(), fields.end());
  layout.expected_fields = names.size();
  layout.fields_from_header = format.header;
  layout.first_line = first_line_no;
  layout.role_of_field.assign(names.size(), kNone);

  const std::array<std::pair<const char*, const std::string*>, 4> wanted = {{
      {"user_column", &format.user_column},
      {"item_column", &format.item_column},
      {"value_column", &format.value_column},
      {"timestamp_column", &format.timestamp_column},
  }};
  for (int role = 0; role < 4; ++role) {
    const std::string& column = *wanted[role].second;
    const std::string key = wanted[role].first;
    if (column.empty()) {
      if (role == kUser || role == kItem) {
        throw Error(KeyLocation(format, key, at_file), "dataset." + key +
                                                           " is empty: name the column that holds " +
                                                           (role == kUser ? "user" : "item") + " ids");
      }
      continue;
    }
    size_t index;
    if (format.header) {
      auto found = FindColumn(names, column);
      if (!found) {
        throw Error(KeyLocation(format, key, at_first),
                    "column '" + column + "' not found in the header of " + file + DidYouMean(column, names) +
                        "; the columns are: " + Join(names, ", "));
      }
      index = *found;
      layout.column_names[role] = names[index];
    } else {
      uint64_t parsed;
      if (!ParseCanonicalId(column, parsed)) {
        throw Error(KeyLocation(format, key, at_file),
                    key + " = \"" + column + "\" is not a column index: with header = false, columns are " +
                        "given as 0-based indices such as \"0\"");
      }
      if (parsed >= names.size()) {
        throw Error(KeyLocation(format, key, at_first),
                    key + " = " + column + " is out of range: line " + std::to_string(first_line_no) +
                        " has " + std::to_string(names.size()) + " fields (indices 0 to " +
                        std::to_string(names.size() - 1) + ")");
      }
      index = parsed;
      layout.column_names[role] = "#" + column;
    }
    if (layout.role_of_field[index] != kNone) {
      throw Error(KeyLocation(format, key, at_file),
                  key + " names column '" + layout.column_names[role] + "', which is already the " +
                      std::string(wanted[layout.role_of_field[index]].first) +
                      "; each role needs its own column");
    }
    layout.role_of_field[index] = static_cast<int8_t>(role);
  }
  layout.has_value = !format.value_column.empty();
  layout.has_timestamp = !format.timestamp_column.empty();

  // the data: after the header, or from the first line
  const char* data_begin = text.data() + offset;
  uint64_t first_data_line = first_line_no;
  if (format.header) {
    size_t consumed;
    FirstLine(text.substr(offset), consumed);
    data_begin += consumed;
    ++first_data_line;
  }
  const char* data_end = text.data() + text.size();

  // cut into chunks at line ends
  const size_t chunk_bytes = format.chunk_bytes > 0 ? format.chunk_bytes : kDefaultChunkBytes;
  std::vector<Chunk> chunks;
  for (const char* b = data_begin; b < data_end;) {
    const char* e = b + std::min<size_t>(chunk_bytes, data_end - b);
    if (e < data_end) {
      const void* nl = std::memchr(e - 1, '\n', data_end - (e - 1));
      e = nl ? static_cast<const char*>(nl) + 1 : data_end;
    }
    Chunk c;
    c.begin = b;
    c.end = e;
    chunks.push_back(std::move(c));
    b = e;
  }

  // count lines per chunk: every chunk then knows its first line number and
  // where its rows go, before any of them is parsed
  tbb::parallel_for(tbb::blocked_range<size_t>(0, chunks.size(), 1),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t k = r.begin(); k < r.end(); ++k) {
                        Chunk& c = chunks[k];
                        c.line_count = CountNewlines(c.begin, c.end);
                        if (c.end > c.begin && c.end[-1] != '\n')
                          ++c.line_count;  // last line without newline
                        mapped.ReleasePages(c.begin, c.end);
                      }
                    });
  uint64_t total_lines = 0;
  for (Chunk& c : chunks) {
    c.first_line = first_data_line + total_lines;
    c.row_offset = total_lines;
    total_lines += c.line_count;
  }

  timer.Lap("count lines");
  SizeForWriting(result.users, total_lines);
  SizeForWriting(result.items, total_lines);
  SizeForWriting(result.values, total_lines);
  if (layout.has_timestamp) SizeForWriting(result.timestamps, total_lines);
  timer.Lap("allocate");
  const Outputs outputs{result.users.data(), result.items.data(), result.values.data(),
                        layout.has_timestamp ? result.timestamps.data() : nullptr};

  std::atomic<size_t> first_error_chunk{chunks.size()};
  ChunkParser parser(layout, outputs, format.skip_bad_rows, first_error_chunk);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, chunks.size(), 1),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t k = r.begin(); k < r.end(); ++k) {
                        parser.Parse(k, chunks[k]);
                        mapped.ReleasePages(chunks[k].begin, chunks[k].end);
                      }
                    });

  timer.Lap("parse");
  const size_t failed = first_error_chunk.load();
  if (failed < chunks.size()) {
    const BadRow& bad = *chunks[failed].first_error;
    throw Error(SourceLocation{file, static_cast<int>(bad.line)}, bad.message);
  }

  // dense ids: local first-appearance lists merged in chunk order give the
  // global first-appearance order, whatever the number of threads
  std::vector<std::vector<uint32_t>> user_map(chunks.size()), item_map(chunks.size());
  for (size_t k = 0; k < chunks.size(); ++k) {
    const Chunk& c = chunks[k];
    user_map[k].resize(c.users.size());
    for (uint32_t j = 0; j < c.users.size(); ++j) user_map[k][j] = result.user_ids.InternFrom(c.users, j);
    item_map[k].resize(c.items.size());
    for (uint32_t j = 0; j < c.items.size(); ++j) item_map[k][j] = result.item_ids.InternFrom(c.items, j);
  }
  tbb::parallel_for(tbb::blocked_range<size_t>(0, chunks.size(), 1),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t k = r.begin(); k < r.end(); ++k) {
                        const Chunk& c = chunks[k];
                        for (uint64_t i = c.row_offset; i < c.row_offset + c.rows; ++i) {
                          result.users[i] = user_map[k][result.users[i]];
                          result.items[i] = item_map[k][result.items[i]];
                        }
                      }
                    });

  timer.Lap("dense ids");
  // close the gaps left by header, blank and bad lines
  uint64_t rows = 0;
  for (Chunk& c : chunks) {
    if (c.row_offset != rows && c.rows > 0) {
      std::memmove(result.users.data() + rows, result.users.data() + c.row_offset, c.rows * sizeof(uint32_t));
      std::memmove(result.items.data() + rows, result.items.data() + c.row_offset, c.rows * sizeof(uint32_t));
      std::memmove(result.values.data() + rows, result.values.data() + c.row_offset, c.rows * sizeof(float));
      if (layout.has_timestamp) {
        std::memmove(result.timestamps.data() + rows, result.timestamps.data() + c.row_offset,
                     c.rows * sizeof(int64_t));
      }
    }
    result.lines.Add(rows, c.first_line);
    for (auto [local_row, line] : c.anchors) result.lines.Add(rows + local_row, line);
    rows += c.rows;
    result.rows_read += c.data_rows;
    result.bad_rows_skipped += c.bad_rows;
    for (BadRow& b : c.examples) {
      if (result.bad_row_examples.size() < kMaxExamples) {
        result.bad_row_examples.push_back(file + ":" + std::to_string(b.line) + ": " + b.message);
      }
    }
  }
  result.users.resize(rows);
  result.items.resize(rows);
  result.values.resize(rows);
  if (layout.has_timestamp) result.timestamps.resize(rows);

  timer.Lap("compact");
  spdlog::debug("read {} ({} chunks): {}", file, chunks.size(), timer.text());
  if (rows == 0) {
    if (result.bad_rows_skipped > 0) {
      throw Error(at_file, "no interactions left: all " + std::to_string(result.bad_rows_skipped) +
                               " rows are bad; the first: " + result.bad_row_examples.front());
    }
    throw Error(at_file,
                "the file has a header but no interactions: expected one interaction per line after " +
                    QuoteForMessage(first));
  }
  return result;
}

}  // namespace reclift::host
