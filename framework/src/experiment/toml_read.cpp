#include "experiment/toml_read.h"

#include <charconv>
#include <cmath>

#include "util/text.h"

namespace reclift::host::experiment_internal {

SourceLocation LocationOf(const toml::source_region& region) {
  if (region.path == nullptr || *region.path == kOverrideSource)
    return SourceLocation{std::string(kOverrideSource)};
  return SourceLocation{*region.path, static_cast<int>(region.begin.line),
                        static_cast<int>(region.begin.column)};
}

void Fail(const SourceLocation& where, const std::string& message) {
  throw Error(where, message);
}

std::string FormatDouble(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x);
  std::string text(buf, ec == std::errc() ? end : buf);
  // keep a float looking like one, so "found 7.0" is not mistaken for an integer
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string Describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return FormatDouble(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::string: return "\"" + node.as_string()->get() + "\"";
    case toml::node_type::array: return "a list";
    case toml::node_type::table: return "a table";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    default: return "nothing";
  }
}

std::string JoinViews(std::span<const std::string_view> words, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += sep;
    out += words[i];
  }
  return out;
}

void Field::Expected(std::string_view what, std::string_view hint) const {
  Fail(where(),
       name_ + ": expected " + std::string(what) + ", found " + Describe(*node_) + std::string(hint));
}

std::string Field::String() const {
  if (!node_->is_string()) Expected("a string");
  return node_->as_string()->get();
}

std::string Field::NonEmptyString() const {
  if (!node_->is_string() || node_->as_string()->get().empty()) Expected("a non-empty string");
  return node_->as_string()->get();
}

std::string Field::Choice(std::span<const std::string_view> choices) const {
  const std::string expected = "one of " + JoinViews(choices, ", ");
  if (!node_->is_string()) Expected(expected);
  const std::string& value = node_->as_string()->get();
  for (auto choice : choices) {
    if (choice == value) return value;
  }
  std::vector<std::string> names(choices.begin(), choices.end());
  Expected(expected, DidYouMean(value, names));
}

int64_t Field::Int(std::string_view expected, bool (*ok)(int64_t)) const {
  if (!node_->is_integer() || !ok(node_->as_integer()->get())) Expected(expected);
  return node_->as_integer()->get();
}

double Field::Number(std::string_view expected, bool (*ok)(double)) const {
  double value = 0;
  if (node_->is_integer()) {
    value = static_cast<double>(node_->as_integer()->get());
  } else if (node_->is_floating_point()) {
    value = node_->as_floating_point()->get();
  } else {
    Expected(expected);
  }
  if (!ok(value)) Expected(expected);
  return value;
}

bool Field::Bool() const {
  if (!node_->is_boolean()) Expected("true or false");
  return node_->as_boolean()->get();
}

std::vector<Field> Field::Items() const {
  std::vector<Field> items;
  if (const toml::array* list = node_->as_array()) {
    for (const toml::node& element : *list) items.emplace_back(element, name_);
  } else {
    items.push_back(*this);
  }
  return items;
}

ParamValue Field::Scalar(std::string_view expected) const {
  switch (node_->type()) {
    case toml::node_type::integer: return node_->as_integer()->get();
    case toml::node_type::floating_point: return node_->as_floating_point()->get();
    case toml::node_type::boolean: return node_->as_boolean()->get();
    case toml::node_type::string: return node_->as_string()->get();
    default: Expected(expected);
  }
}

const toml::key* FirstUnknownKey(const toml::table& table, std::span<const std::string_view> known_keys) {
  const toml::key* first = nullptr;
  for (const auto& [key, value] : table) {
    bool known = false;
    for (auto k : known_keys) known = known || key.str() == k;
    if (known) continue;
    // toml::table keeps keys sorted; report the one written first instead
    const auto& at = key.source().begin;
    if (first == nullptr || at.line < first->source().begin.line ||
        (at.line == first->source().begin.line && at.column < first->source().begin.column)) {
      first = &key;
    }
  }
  return first;
}

void RejectUnknownKeys(const toml::table& table, std::string_view display,
                       std::span<const std::string_view> known_keys) {
  const toml::key* unknown = FirstUnknownKey(table, known_keys);
  if (unknown == nullptr) return;
  std::vector<std::string> names(known_keys.begin(), known_keys.end());
  std::string hint = DidYouMean(unknown->str(), names);
  if (hint.empty()) hint = " (known keys: " + JoinViews(known_keys, ", ") + ")";
  Fail(LocationOf(unknown->source()),
       "unknown key '" + std::string(unknown->str()) + "' in " + std::string(display) + hint);
}

TableReader::TableReader(const toml::table& table, std::string display, std::string prefix,
                         std::span<const std::string_view> known_keys)
    : table_(&table), display_(std::move(display)), prefix_(std::move(prefix)) {
  RejectUnknownKeys(table, display_, known_keys);
}

std::optional<Field> TableReader::Get(std::string_view key) const {
  const toml::node* node = table_->get(key);
  if (node == nullptr) return std::nullopt;
  return Field(*node, prefix_ + "." + std::string(key));
}

}  // namespace reclift::host::experiment_internal
