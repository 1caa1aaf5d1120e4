#include "data/item_features.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "data/interaction_reader.h"
#include "data/text_parse.h"
#include "util/text.h"

namespace reclift::host {

uint32_t ItemFeatureBuilder::Names::Id(std::string_view name) {
  auto it = index.find(name);
  if (it != index.end()) return it->second;
  const auto id = static_cast<uint32_t>(list.size());
  list.emplace_back(name);
  index.emplace(list.back(), id);
  return id;
}

void ItemFeatureBuilder::AddCategory(uint32_t item, std::string_view name, float weight) {
  category_entries_.push_back({item, categories_.Id(name), weight});
}

void ItemFeatureBuilder::AddTag(uint32_t item, std::string_view name, float weight) {
  tag_entries_.push_back({item, tags_.Id(name), weight});
}

size_t ItemFeatureBuilder::NumericColumn(std::string_view name) {
  const uint32_t id = numeric_names_.Id(name);
  if (id >= numeric_.size()) numeric_.resize(id + 1);
  return id;
}

void ItemFeatureBuilder::SetNumeric(uint32_t item, size_t column, float value) {
  numeric_[column].emplace_back(item, value);
}

void ItemFeatureBuilder::AppendText(uint32_t item, std::string_view text) {
  if (!text.empty()) text_.emplace_back(item, std::string(text));
}

OwnedSparse ItemFeatureBuilder::BuildSparse(uint32_t num_items, std::vector<Entry> entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    return a.item != b.item ? a.item < b.item : a.feature < b.feature;
  });
  OwnedSparse m;
  m.indptr.assign(static_cast<size_t>(num_items) + 1, 0);
  for (size_t e = 0; e < entries.size(); ++e) {
    if (e > 0 && entries[e].item == entries[e - 1].item && entries[e].feature == entries[e - 1].feature) {
      m.values.back() += entries[e].weight;  // the same feature twice: weights add up
      continue;
    }
    m.indices.push_back(entries[e].feature);
    m.values.push_back(entries[e].weight);
    ++m.indptr[entries[e].item + 1];
  }
  for (uint32_t i = 0; i < num_items; ++i) m.indptr[i + 1] += m.indptr[i];
  return m;
}

OwnedItemFeatures ItemFeatureBuilder::Build(uint32_t num_items) const {
  OwnedItemFeatures f;
  f.categories = BuildSparse(num_items, category_entries_);
  f.category_names = categories_.list;
  f.tags = BuildSparse(num_items, tag_entries_);
  f.tag_names = tags_.list;
  f.numeric_names = numeric_names_.list;
  const size_t k = numeric_names_.list.size();
  if (k > 0) {
    f.numeric.assign(static_cast<size_t>(num_items) * k, std::numeric_limits<float>::quiet_NaN());
    for (size_t c = 0; c < k; ++c) {
      for (auto [item, value] : numeric_[c]) f.numeric[static_cast<size_t>(item) * k + c] = value;
    }
  }
  if (!text_.empty()) {
    f.text.assign(num_items, std::string());
    for (const auto& [item, text] : text_) {
      std::string& t = f.text[item];
      if (!t.empty()) t += ' ';
      t += text;
    }
  }
  return f;
}

std::vector<std::string_view> SplitList(std::string_view list, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(separator, start);
    if (end == std::string_view::npos) end = list.size();
    const std::string_view part = TrimField(list.substr(start, end - start), false);
    if (!part.empty() && std::find(parts.begin(), parts.end(), part) == parts.end()) parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

std::string ReadWholeFile(const std::filesystem::path& path, const SourceLocation& where) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw Error(where.known() ? where : SourceLocation{path.string()},
                "cannot read '" + path.string() + "': it is a directory, expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(where.known() ? where : SourceLocation{path.string()},
                "cannot read '" + path.string() +
                    "': " + (std::filesystem::exists(path, ec) ? "permission denied" : "no such file"));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

namespace {
bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<size_t> FindName(const std::vector<std::string>& names,
                               std::initializer_list<std::string_view> wanted,
                               std::optional<size_t> not_this = std::nullopt) {
  for (std::string_view w : wanted) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (i != not_this && !w.empty() && EqualsIgnoringCase(names[i], w)) return i;
    }
  }
  return std::nullopt;
}
}  // namespace

ItemFileSummary ReadItemFeaturesFile(const std::filesystem::path& path, const SourceLocation& where,
                                     std::string_view item_column, bool skip_bad_rows, IdInterner& items,
                                     ItemFeatureBuilder& features) {
  ItemFileSummary summary;
  const std::string file = path.string();
  const std::string content = ReadWholeFile(path, where);

  std::string_view text = content;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const size_t first_char = text.find_first_not_of(" \t\r\n");
  if (first_char == std::string_view::npos) {
    throw Error(SourceLocation{file}, "the items file is empty: expected a header line naming the columns");
  }
  std::string_view first_line = text.substr(first_char, text.find('\n', first_char) - first_char);
  std::string delimiter = SniffDelimiter(first_line);
  if (delimiter.empty()) delimiter = ",";  // one column: ids only

  RecordReader reader(content, delimiter, true);
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  reader.Next(fields, line, problem);
  if (!problem.empty()) throw Error(SourceLocation{file, static_cast<int>(line)}, problem);
  const std::vector<std::string> names(fields.begin(), fields.end());
  const uint64_t header_line = line;

  std::optional<size_t> id_col = FindName(names, {item_column});
  if (!id_col) id_col = FindName(names, {"item", "item_id"});
  if (!id_col) id_col = 0;
  const std::optional<size_t> category_col = FindName(names, {"categories", "category"}, id_col);
  const std::optional<size_t> tag_col = FindName(names, {"tags", "tag"}, id_col);
  summary.id_column = names[*id_col];
  if (category_col) summary.category_column = names[*category_col];
  if (tag_col) summary.tag_column = names[*tag_col];

  auto bad = [&](uint64_t at, const std::string& message) {
    if (!skip_bad_rows) throw Error(SourceLocation{file, static_cast<int>(at)}, message);
    ++summary.bad_rows_skipped;
    if (summary.bad_row_examples.size() < 3) {
      summary.bad_row_examples.push_back(file + ":" + std::to_string(at) + ": " + message);
    }
  };

  // all rows first: a column is numeric only if every value in it is
  std::vector<std::vector<std::string>> rows;
  std::vector<uint64_t> row_lines;
  std::unordered_map<std::string, uint64_t> line_of_id;
  while (reader.Next(fields, line, problem)) {
    if (!problem.empty()) {
      bad(line, problem + " in " + QuoteForMessage(reader.last_record()));
      continue;
    }
    if (fields.size() != names.size()) {
      bad(line, "expected " + std::to_string(names.size()) + " fields (as in the header), found " +
                    std::to_string(fields.size()) + ": " + QuoteForMessage(reader.last_record()));
      continue;
    }
    const std::string id(fields[*id_col]);
    if (id.empty()) {
      bad(line, "empty item id in column '" + names[*id_col] + "'");
      continue;
    }
    auto [it, inserted] = line_of_id.emplace(id, line);
    if (!inserted) {
      bad(line, "item '" + id + "' appears twice in the items file (first on line " +
                    std::to_string(it->second) + ")");
      continue;
    }
    rows.emplace_back(fields.begin(), fields.end());
    row_lines.push_back(line);
  }
  if (rows.empty() && summary.bad_rows_skipped == 0) {
    throw Error(SourceLocation{file, static_cast<int>(header_line)},
                "the items file has a header but no items: expected one item per line after it");
  }
  summary.rows = rows.size();

  enum class Kind { kId, kCategories, kTags, kNumeric, kText, kIgnored };
  std::vector<Kind> kinds(names.size(), Kind::kText);
  std::vector<size_t> numeric_column(names.size(), 0);
  for (size_t c = 0; c < names.size(); ++c) {
    if (c == *id_col) {
      kinds[c] = Kind::kId;
    } else if (c == category_col) {
      kinds[c] = Kind::kCategories;
    } else if (c == tag_col) {
      kinds[c] = Kind::kTags;
    } else {
      bool any = false, numeric = true;
      for (const auto& row : rows) {
        if (row[c].empty()) continue;
        any = true;
        double d;
        if (ParseDouble(row[c], d) != NumberStatus::kOk) {
          numeric = false;
          break;
        }
      }
      if (!any) {
        kinds[c] = Kind::kIgnored;
        summary.ignored_columns.push_back(names[c]);
      } else if (numeric) {
        kinds[c] = Kind::kNumeric;
        numeric_column[c] = features.NumericColumn(names[c]);
        summary.numeric_columns.push_back(names[c]);
      } else {
        summary.text_columns.push_back(names[c]);
      }
    }
  }

  const size_t known_items = items.size();
  for (const auto& row : rows) {
    const uint32_t item = items.Intern(row[*id_col]);
    if (item >= known_items) ++summary.new_items;
    for (size_t c = 0; c < names.size(); ++c) {
      const std::string& value = row[c];
      if (value.empty()) continue;
      switch (kinds[c]) {
        case Kind::kCategories:
          for (std::string_view name : SplitList(value)) features.AddCategory(item, name);
          break;
        case Kind::kTags:
          for (std::string_view name : SplitList(value)) features.AddTag(item, name);
          break;
        case Kind::kNumeric: {
          double d = 0;
          ParseDouble(value, d);
          features.SetNumeric(item, numeric_column[c], static_cast<float>(d));
          break;
        }
        case Kind::kText: features.AppendText(item, value); break;
        case Kind::kId:
        case Kind::kIgnored: break;
      }
    }
  }
  return summary;
}

}  // namespace reclift::host
