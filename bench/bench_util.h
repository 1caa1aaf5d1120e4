// Small helpers the benchmarks share: clocks, memory, load and failing fast.
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <string>

#include "reclift/params.h"
#include "reclift/status.h"

namespace reclift::bench {

using Clock = std::chrono::steady_clock;

inline double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds used by the whole process (all threads): with other programs
// competing for the cores, cpu / threads estimates the wall time on an idle
// machine better than the wall time does.
inline double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// The process's peak resident memory (VmHWM) in GiB.
inline double PeakRssGib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / (1024.0 * 1024.0);  // kB
  }
  return 0;
}

// The one-minute load average, to print beside timings.
inline std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one;
  in >> one;
  return one;
}

// Exits with the message when `s` is an error.
inline void Require(const Status& s, const std::string& what) {
  if (!s.ok()) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(), s.ToString().c_str());
    std::exit(1);
  }
}

// Parses "text" as the spec's type.
inline ParamValue ParseValue(const ParamSpec& spec, const std::string& text) {
  switch (spec.type) {
    case ParamType::kInt: return static_cast<int64_t>(std::stoll(text));
    case ParamType::kFloat: return std::stod(text);
    case ParamType::kBool: return text == "true";
    case ParamType::kString: return text;
  }
  return text;
}

}  // namespace reclift::bench
