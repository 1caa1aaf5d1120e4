#include "engine/cell.h"

#include <fstream>
#include <sstream>

#include "engine/binary_io.h"
#include "runner/arm.h"
#include "util/atomic_file.h"

namespace reclift::host::engine {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kCellMagic = "RCLCELL1";

nlohmann::json ValueJson(const ParamValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

nlohmann::json UseJson(const PluginUse& use) {
  nlohmann::json params = nlohmann::json::object();
  for (const auto& [k, v] : use.params) params[k] = ValueJson(v);
  return {{"plugin", use.plugin}, {"params", params}};
}

PluginUse UseFrom(const nlohmann::json& j) {
  PluginUse use;
  use.plugin = j.at("plugin").get<std::string>();
  for (const auto& [k, v] : j.at("params").items()) use.params[k] = ParamValueFromJson(v);
  return use;
}

}  // namespace

nlohmann::json TaskToJson(const CellTask& t) {
  nlohmann::json children = nlohmann::json::array();
  for (const auto& c : t.arm.children) children.push_back(UseJson(c));
  nlohmann::json evaluators = nlohmann::json::array();
  for (const auto& e : t.evaluation.evaluators) evaluators.push_back(UseJson(e));
  nlohmann::json plugins = nlohmann::json::array();
  for (const auto& p : t.plugins) plugins.push_back(p.string());
  return {
      {"key", t.key},
      {"label", t.label},
      {"arm_name", t.arm_name},
      {"arm_index", t.arm_index},
      {"group", t.group},
      {"arm", {{"name", t.arm.name}, {"recommender", UseJson(t.arm.recommender)}, {"children", children}}},
      {"evaluation",
       {{"ks", t.evaluation.ks},
        {"metrics", t.evaluation.metrics},
        {"evaluators", evaluators},
        {"candidates", t.evaluation.candidates}}},
      {"seed", t.seed},
      {"threads", t.threads},
      {"bucketed", t.bucketed},
      {"keep_lists", t.keep_lists},
      {"timeout_seconds", t.timeout_seconds},
      {"memory_mb", t.memory_mb},
      {"split_file", t.split_file.string()},
      {"plugins", plugins},
      {"key_parts", t.key_parts}};
}

CellTask TaskFromJson(const nlohmann::json& j) {
  CellTask t;
  t.key = j.at("key");
  t.label = j.at("label");
  t.arm_name = j.at("arm_name");
  t.arm_index = j.at("arm_index");
  t.group = j.at("group");
  const auto& arm = j.at("arm");
  t.arm.name = arm.at("name");
  t.arm.recommender = UseFrom(arm.at("recommender"));
  for (const auto& c : arm.at("children")) t.arm.children.push_back(UseFrom(c));
  const auto& ev = j.at("evaluation");
  t.evaluation.ks = ev.at("ks").get<std::vector<int>>();
  t.evaluation.metrics = ev.at("metrics").get<std::vector<std::string>>();
  for (const auto& e : ev.at("evaluators")) t.evaluation.evaluators.push_back(UseFrom(e));
  t.evaluation.candidates = ev.at("candidates");
  t.seed = j.at("seed");
  t.threads = j.at("threads");
  t.bucketed = j.at("bucketed");
  t.keep_lists = j.at("keep_lists");
  t.timeout_seconds = j.at("timeout_seconds");
  t.memory_mb = j.at("memory_mb");
  t.split_file = j.at("split_file").get<std::string>();
  for (const auto& p : j.at("plugins")) t.plugins.emplace_back(p.get<std::string>());
  t.key_parts = j.at("key_parts");
  t.cost = j.value("cost", 0.0);
  return t;
}

void WriteCellResult(const fs::path& file, const CellResult& r) {
  nlohmann::json head = {{"key", r.key},
                         {"label", r.label},
                         {"arm_name", r.arm_name},
                         {"ok", r.ok},
                         {"failure", r.failure},
                         {"error", r.error},
                         {"phase", r.phase},
                         {"plugin", r.plugin},
                         {"params", r.params},
                         {"fit_seconds", r.fit_seconds},
                         {"eval_seconds", r.eval_seconds},
                         {"seconds", r.seconds},
                         {"peak_rss", r.peak_rss},
                         {"model_rss", r.model_rss},
                         {"log", r.log},
                         {"last_lines", r.last_lines},
                         {"trace", r.trace},
                         {"key_parts", r.key_parts},
                         {"host", r.host},
                         {"rank", r.rank}};
  BinaryWriter w(kCellMagic);
  w.Text(head.dump());
  w.Array(r.values);
  w.Array(r.list_values);
  std::vector<uint64_t> ptr{0};
  std::vector<uint32_t> items;
  for (const auto& l : r.lists) {
    items.insert(items.end(), l.begin(), l.end());
    ptr.push_back(items.size());
  }
  w.Array(ptr);
  w.Array(items);
  WriteFileAtomic(file, w.data());
}

std::optional<nlohmann::json> ReadCellHeader(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[8];
  uint64_t length = 0;
  if (!in.read(magic, sizeof magic) || std::string_view(magic, 8) != kCellMagic ||
      !in.read(reinterpret_cast<char*>(&length), sizeof length) || length > (uint64_t{1} << 30)) {
    return std::nullopt;
  }
  std::string text(length, '\0');
  if (!in.read(text.data(), static_cast<std::streamsize>(length))) return std::nullopt;
  nlohmann::json head = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!head.is_object()) return std::nullopt;
  return head;
}

std::optional<CellResult> ReadCellResult(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string buf = ss.str();
  try {
    BinaryReader rd(buf, kCellMagic, file.string());
    const nlohmann::json h = nlohmann::json::parse(rd.Text());
    CellResult r;
    r.key = h.at("key");
    r.label = h.at("label");
    r.arm_name = h.at("arm_name");
    r.ok = h.at("ok");
    r.failure = h.at("failure");
    r.error = h.at("error");
    r.phase = h.at("phase");
    r.plugin = h.at("plugin");
    r.params = h.at("params");
    r.fit_seconds = h.at("fit_seconds");
    r.eval_seconds = h.at("eval_seconds");
    r.seconds = h.at("seconds");
    r.peak_rss = h.at("peak_rss");
    r.model_rss = h.at("model_rss");
    r.log = h.at("log").get<std::vector<std::string>>();
    r.last_lines = h.at("last_lines").get<std::vector<std::string>>();
    r.trace = h.at("trace");
    r.key_parts = h.at("key_parts");
    r.host = h.at("host");
    r.rank = h.at("rank");
    r.values = rd.Vector<double>();
    r.list_values = rd.Vector<double>();
    const auto ptr = rd.Array<uint64_t>();
    const auto items = rd.Array<uint32_t>();
    for (size_t i = 0; i + 1 < ptr.size(); ++i) {
      if (ptr[i + 1] < ptr[i] || ptr[i + 1] > items.size()) return std::nullopt;
      r.lists.emplace_back(items.begin() + ptr[i], items.begin() + ptr[i + 1]);
    }
    return r;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace reclift::host::engine
