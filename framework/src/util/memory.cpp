#include "util/memory.h"

#include <fstream>
#include <string>

namespace reclift::host {
namespace {
size_t ReadStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stoull(line.substr(key.size() + 1)) * 1024;
  }
  return 0;
}
}  // namespace

size_t PeakRssBytes() {
  return ReadStatusKb("VmHWM");
}
size_t CurrentRssBytes() {
  return ReadStatusKb("VmRSS");
}

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

}  // namespace reclift::host
