// Item side information: the generic features file, and a builder that the
// MovieLens readers share.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "data/dataset.h"
#include "data/id_interner.h"
#include "reclift/owned_train_data.h"
#include "util/error.h"

namespace reclift::host {

// Collects features item by item, then lays them out for all items.
class ItemFeatureBuilder {
 public:
  // adds weight to (item, name); names get ids in order of first use
  void AddCategory(uint32_t item, std::string_view name, float weight = 1.f);
  void AddTag(uint32_t item, std::string_view name, float weight = 1.f);
  // the column index of a numeric feature, created on first use
  size_t NumericColumn(std::string_view name);
  void SetNumeric(uint32_t item, size_t column, float value);
  void AppendText(uint32_t item, std::string_view text);  // joined with a space

  // Features for items [0, num_items): categories and tags always have
  // num_items rows; numeric is NaN where unknown; text is empty when no
  // item has any.
  OwnedItemFeatures Build(uint32_t num_items) const;

 private:
  struct Names {
    std::vector<std::string> list;
    std::map<std::string, uint32_t, std::less<>> index;
    uint32_t Id(std::string_view name);
  };
  struct Entry {
    uint32_t item;
    uint32_t feature;
    float weight;
  };
  static OwnedSparse BuildSparse(uint32_t num_items, std::vector<Entry> entries);

  Names categories_, tags_, numeric_names_;
  std::vector<Entry> category_entries_, tag_entries_;
  std::vector<std::vector<std::pair<uint32_t, float>>> numeric_;  // column -> (item, value)
  std::vector<std::pair<uint32_t, std::string>> text_;
};

// What the features file contributed, for notes.
struct ItemFileSummary {
  size_t rows = 0;
  size_t new_items = 0;  // items with no interaction (cold items)
  std::vector<std::string> numeric_columns, text_columns, ignored_columns;
  std::string id_column, category_column, tag_column;
  size_t bad_rows_skipped = 0;
  std::vector<std::string> bad_row_examples;
};

// Reads a features file (CSV with a header; delimiter sniffed from it): see
// datasets/README.md for the columns. Items not yet in `items` are interned
// (appended). `item_column` is the interactions' item column name, tried
// first for the id column.
ItemFileSummary ReadItemFeaturesFile(const std::filesystem::path& path, const SourceLocation& where,
                                     std::string_view item_column, bool skip_bad_rows, IdInterner& items,
                                     ItemFeatureBuilder& features);

// Splits "a|b|c" into trimmed, non-empty, distinct parts.
std::vector<std::string_view> SplitList(std::string_view list, char separator = '|');

// Reads a whole (small) file into memory; throws Error when it cannot.
std::string ReadWholeFile(const std::filesystem::path& path, const SourceLocation& where);

}  // namespace reclift::host
