// PluginCatalog: what the experiment checker needs to know about the
// available plugins (their names and declared parameters), without loading
// any data. Implemented by PluginRegistry (plugin_host/registry.h) and by
// test fakes.
#pragma once

#include <string>
#include <vector>

#include "reclift/plugin.h"

namespace reclift::host {

class PluginCatalog {
 public:
  virtual ~PluginCatalog() = default;
  // The info of the plugin of this kind and name, or null.
  virtual const PluginInfo* Find(PluginKind kind, const std::string& name) const = 0;
  // All plugin names of a kind, sorted.
  virtual std::vector<std::string> Names(PluginKind kind) const = 0;
};

}  // namespace reclift::host
