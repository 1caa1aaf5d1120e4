// Claims to be built with another compiler and standard library.
#include <reclift/reclift.h>

extern "C" __attribute__((visibility("default"))) const reclift::PluginInfo* reclift_plugin_info() {
  static const reclift::PluginInfo info = {reclift::kAbiVersion, "othercc1;libc++1", reclift::PluginKind::kRecommender,
                                           "other_compiler", "1.0.0", "built with another toolchain", nullptr, 0, 0,
                                           nullptr, nullptr};
  return &info;
}
