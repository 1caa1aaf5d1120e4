// Claims an ABI version the host does not have.
#include <reclift/reclift.h>

extern "C" __attribute__((visibility("default"))) const reclift::PluginInfo* reclift_plugin_info() {
  static const reclift::PluginInfo info = {reclift::kAbiVersion + 98, reclift::kAbiTag, reclift::PluginKind::kRecommender,
                                           "from_the_future", "9.0.0", "built for another ABI", nullptr, 0, 0,
                                           nullptr, nullptr};
  return &info;
}
