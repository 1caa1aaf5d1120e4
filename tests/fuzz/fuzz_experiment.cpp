// An experiment file through everything `reclift validate` checks: TOML
// syntax, tables and keys, types and ranges, grids, scenarios, then every
// plugin and parameter against the plugins of this build, then the files.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "experiment/spec.h"
#include "plugin_host/registry.h"
#include "util/error.h"

namespace {

const reclift::host::PluginRegistry& Registry() {
  static const reclift::host::PluginRegistry* registry = [] {
    auto* r = new reclift::host::PluginRegistry();
    r->LoadDirectory(RECLIFT_BUILD_PLUGIN_DIR);
    return r;
  }();
  return *registry;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const reclift::host::PluginRegistry& registry = Registry();
  std::string_view toml(reinterpret_cast<const char*>(data), size);
  // named as if it sat in experiments/, so the bundled files' relative paths resolve
  const std::filesystem::path name = std::filesystem::path(RECLIFT_SOURCE_DIR) / "experiments" / "fuzz.toml";
  try {
    reclift::host::ExperimentSpec spec = reclift::host::ParseExperimentString(toml, name);
    reclift::host::CheckPlugins(spec, registry);
    reclift::host::CheckFiles(spec);
  } catch (const reclift::host::Error&) {
  }
  return 0;
}
