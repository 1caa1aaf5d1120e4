// Reading typed values out of a TOML++ tree for the experiment parser: every
// value keeps the place it was written, and every mistake becomes an Error at
// that place saying what was expected and what was found.
// Internal to framework/src/experiment/ (the only place that includes TOML++).
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reclift/params.h"
#include "util/error.h"

namespace reclift::host::experiment_internal {

// The source name given to values parsed from `--set` overrides; values from
// there (and nodes with no source at all) are reported at "--set".
inline constexpr std::string_view kOverrideSource = "--set";

SourceLocation LocationOf(const toml::source_region& region);
inline SourceLocation LocationOf(const toml::node& node) {
  return LocationOf(node.source());
}

[[noreturn]] void Fail(const SourceLocation& where, const std::string& message);

// Shortest text that reads back as the same double: 0.01, 1.5, 1e-06, nan.
std::string FormatDouble(double x);

// A value for "found ...": 42, 1.5, "abc", true, a list, a table, a date.
std::string Describe(const toml::node& node);

// "a, b, c" of string views.
std::string JoinViews(std::span<const std::string_view> words, std::string_view sep);

// One value and the dotted name messages call it by ("split.test_fraction").
class Field {
 public:
  Field(const toml::node& node, std::string name) : node_(&node), name_(std::move(name)) {}

  const toml::node& node() const { return *node_; }
  const std::string& name() const { return name_; }
  SourceLocation where() const { return LocationOf(*node_); }

  // Throws "<name>: expected <what>, found <value><hint>".
  [[noreturn]] void Expected(std::string_view what, std::string_view hint = "") const;

  std::string String() const;          // any string
  std::string NonEmptyString() const;  // a string with at least one character
  // One of `choices`; otherwise the message lists them and suggests the closest.
  std::string Choice(std::span<const std::string_view> choices) const;
  // An integer for which ok() holds; `expected` describes the range.
  int64_t Int(std::string_view expected, bool (*ok)(int64_t)) const;
  // A number (integer or float) for which ok() holds.
  double Number(std::string_view expected, bool (*ok)(double)) const;
  bool Bool() const;
  // The elements of a list, or the value itself when it is not a list (so
  // `k = 10` and `k = [10, 20]` read alike).
  std::vector<Field> Items() const;
  // A plugin parameter value: integer, float, boolean or string.
  ParamValue Scalar(std::string_view expected) const;

 private:
  const toml::node* node_;
  std::string name_;
};

// A table being read. Construction rejects keys not in `known_keys` (the
// first one in file order, with "did you mean").
class TableReader {
 public:
  // `display` names the table in messages: "[split]", "[[arms]]".
  // `prefix` starts the dotted names of its values: "split", "arms.als".
  TableReader(const toml::table& table, std::string display, std::string prefix,
              std::span<const std::string_view> known_keys);

  std::optional<Field> Get(std::string_view key) const;
  bool Has(std::string_view key) const { return table_->contains(key); }
  const toml::table& table() const { return *table_; }
  SourceLocation where() const { return LocationOf(*table_); }
  const std::string& display() const { return display_; }

 private:
  const toml::table* table_;
  std::string display_;
  std::string prefix_;
};

// The first key of `table` in file order that is not in `known_keys`, or null.
const toml::key* FirstUnknownKey(const toml::table& table, std::span<const std::string_view> known_keys);

// Throws for the first key of `table` (in file order) that is not in
// `known_keys`: "unknown key 'x' in [split] (did you mean 'y'?)", or the list
// of known keys when none is close.
void RejectUnknownKeys(const toml::table& table, std::string_view display,
                       std::span<const std::string_view> known_keys);

}  // namespace reclift::host::experiment_internal
