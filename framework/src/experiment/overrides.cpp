// `--set key=value`: the top layer of the configuration. An override edits
// the parsed TOML tree before it is read, so a value from the command line
// is checked exactly like one from the file.
#include <algorithm>
#include <string>
#include <vector>

#include "experiment/sections.h"
#include "experiment/toml_read.h"
#include "util/text.h"

namespace reclift::host::experiment_internal {

namespace {

// Sections an override can name.
constexpr std::string_view kOverridableSections[] = {"experiment", "dataset", "split",  "arms",
                                                     "evaluation", "ab",      "report", "profilers",
                                                     "scenarios",  "tuning",  "logged",  "ope"};

std::vector<std::string> SplitDots(std::string_view key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t dot = key.find('.', start);
    parts.emplace_back(
        key.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) return parts;
    start = dot + 1;
  }
}

// Sets table[key] to the override's value: TOML when it parses as one value
// (42, 0.3, true, [16, 32], "text"), otherwise the text itself as a string,
// so `split.method=temporal` needs no quotes.
void SetValue(toml::table& table, std::string_view key, const std::string& text) {
  try {
    toml::table parsed = toml::parse("x = " + text + "\n", kOverrideSource);
    if (parsed.size() == 1) {
      if (toml::node* value = parsed.get("x")) {
        table.insert_or_assign(key, std::move(*value));
        return;
      }
    }
  } catch (const toml::parse_error&) {
    // not TOML: a bare word
  }
  table.insert_or_assign(key, text);
}

class OverrideApplier {
 public:
  OverrideApplier(toml::table& root, const Override& override) : root_(root), override_(override) {}

  void Apply() {
    const std::vector<std::string> parts = SplitDots(override_.key);
    if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
      Fail("expected a dotted key such as split.test_fraction");
    }
    const std::string& section = parts[0];
    if (section == "arms") return ApplyToArm(parts);
    if (section == "profilers") return ApplyToEntry(parts, "profilers", "plugin", true);
    if (section == "scenarios") return ApplyToEntry(parts, "scenarios", "kind", false);
    const auto keys = PlainSectionKeys(section);
    if (keys.empty()) {
      std::vector<std::string> names(std::begin(kOverridableSections), std::end(kOverridableSections));
      std::string hint = DidYouMean(section, names);
      if (hint.empty()) hint = " (sections: " + JoinViews(kOverridableSections, ", ") + ")";
      Fail("unknown section '" + section + "'" + hint);
    }
    if (parts.size() == 1)
      Fail("names the whole [" + section + "] table; set one key, e.g. " + section + "." +
           std::string(keys[0]) + "=...");
    if (parts.size() > 2) Fail("[" + section + "] has no sub-tables; expected " + section + ".<key>");
    if (std::find(keys.begin(), keys.end(), parts[1]) == keys.end()) {
      std::vector<std::string> names(keys.begin(), keys.end());
      std::string hint = DidYouMean(parts[1], names);
      if (hint.empty()) hint = " (known keys: " + JoinViews(keys, ", ") + ")";
      Fail("unknown key '" + parts[1] + "' in [" + section + "]" + hint);
    }
    toml::node* node = root_.get(section);
    if (node == nullptr) node = root_.insert_or_assign(section, toml::table{}).first->second.as_table();
    if (!node->is_table()) Fail("[" + section + "] is not a table in the file");
    SetValue(*node->as_table(), parts[1], override_.value);
  }

 private:
  [[noreturn]] void Fail(const std::string& message) const {
    experiment_internal::Fail(SourceLocation{std::string(kOverrideSource)},
                              "override '" + override_.key + "=" + override_.value + "': " + message);
  }

  // arms.<arm>.<param>, arms.<arm>.params.<param>, or one of the arm's own
  // keys arms.<arm>.name / .recommender / .params / .children. Arm names may hold dots, so
  // the longest arm name that fits wins.
  void ApplyToArm(const std::vector<std::string>& parts) {
    constexpr std::string_view kForms =
        "expected arms.<arm>.<param>, arms.<arm>.params.<param>, arms.<arm>.name or arms.<arm>.recommender";
    toml::array* arms = root_.get("arms") ? root_.get("arms")->as_array() : nullptr;
    if (arms == nullptr) Fail("the file has no [[arms]]");
    const std::string rest = override_.key.substr(std::string_view("arms.").size());
    toml::table* arm = nullptr;
    size_t name_length = 0;
    std::vector<std::string> names;
    for (toml::node& element : *arms) {
      toml::table* table = element.as_table();
      if (table == nullptr || !table->get("name") || !table->get("name")->is_string()) continue;
      const std::string& name = table->get("name")->as_string()->get();
      names.push_back(name);
      if (name.size() > name_length && rest.size() > name.size() && rest.compare(0, name.size(), name) == 0 &&
          rest[name.size()] == '.') {
        arm = table;
        name_length = name.size();
      }
    }
    if (arm == nullptr) {
      if (parts.size() < 3) Fail(std::string(kForms));
      std::string hint = DidYouMean(parts[1], names);
      if (hint.empty()) hint = " (arms: " + Join(names, ", ") + ")";
      Fail("no arm named '" + parts[1] + "'" + hint);
    }
    const std::string key = rest.substr(name_length + 1);
    if (key == "name" || key == "recommender" || key == "params" || key == "children") {
      return SetValue(*arm, key, override_.value);
    }
    const std::string param =
        key.rfind("params.", 0) == 0 ? key.substr(std::string_view("params.").size()) : key;
    if (param.find('.') != std::string::npos) Fail(std::string(kForms));
    toml::node* params = arm->get("params");
    if (params == nullptr) params = arm->insert_or_assign("params", toml::table{}).first->second.as_table();
    if (!params->is_table()) Fail("the params of this arm are not a table in the file");
    SetValue(*params->as_table(), param, override_.value);
  }

  // profilers.<plugin>.<param> (or .params.<param>), scenarios.<kind>.<key>:
  // the one entry of the array of tables whose `match` key names it.
  void ApplyToEntry(const std::vector<std::string>& parts, const std::string& section,
                    const std::string& match, bool params_table) {
    const std::string form = params_table ? "profilers.<plugin>.<param> or profilers.<plugin>.params.<param>"
                                          : "scenarios.<kind>.<key>";
    if (parts.size() < 3) Fail("expected " + form);
    toml::array* entries = root_.get(section) ? root_.get(section)->as_array() : nullptr;
    if (entries == nullptr) Fail("the file has no [[" + section + "]]");
    toml::table* entry = nullptr;
    size_t matches = 0;
    std::vector<std::string> names;
    for (toml::node& element : *entries) {
      toml::table* table = element.as_table();
      if (table == nullptr || !table->get(match) || !table->get(match)->is_string()) continue;
      const std::string& name = table->get(match)->as_string()->get();
      names.push_back(name);
      if (name == parts[1]) {
        entry = table;
        ++matches;
      }
    }
    if (entry == nullptr) {
      std::string hint = DidYouMean(parts[1], names);
      if (hint.empty()) hint = " (" + section + ": " + Join(names, ", ") + ")";
      Fail("no [[" + section + "]] with " + match + " = \"" + parts[1] + "\"" + hint);
    }
    if (matches > 1) {
      Fail(std::to_string(matches) + " [[" + section + "]] have " + match + " = \"" + parts[1] +
           "\"; an override cannot tell them apart, edit the file");
    }
    std::vector<std::string> key(parts.begin() + 2, parts.end());
    if (!params_table) {
      if (key.size() != 1) Fail("expected " + form);
      if (key[0] == match) Fail("cannot change the " + match + " of an entry; edit the file");
      return SetValue(*entry, key[0], override_.value);
    }
    if (key.size() == 2 && key[0] == "params") key.erase(key.begin());
    if (key.size() != 1) Fail("expected " + form);
    if (key[0] == match) Fail("cannot change the " + match + " of an entry; edit the file");
    toml::node* params = entry->get("params");
    if (params == nullptr) params = entry->insert_or_assign("params", toml::table{}).first->second.as_table();
    if (!params->is_table()) Fail("the params of this entry are not a table in the file");
    SetValue(*params->as_table(), key[0], override_.value);
  }

  toml::table& root_;
  const Override& override_;
};

}  // namespace

void ApplyOverrides(toml::table& root, std::span<const Override> overrides) {
  for (const Override& override : overrides) OverrideApplier(root, override).Apply();
}

}  // namespace reclift::host::experiment_internal
