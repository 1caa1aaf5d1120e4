// Small helpers the benchmarks share: clocks, memory, load and failing fast.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "data/synth.h"
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

// Params of `specs` from "key" -> "text" pairs; exits on an unknown key or a
// refused value.
inline Params BuildParams(std::span<const ParamSpec> specs, const std::map<std::string, std::string>& given) {
  std::map<std::string, ParamValue> values;
  for (const auto& [key, text] : given) {
    bool found = false;
    for (const auto& spec : specs) {
      if (key == spec.name) {
        values[key] = ParseValue(spec, text);
        found = true;
      }
    }
    if (!found) {
      std::fprintf(stderr, "unknown parameter %s\n", key.c_str());
      std::exit(2);
    }
  }
  Params p;
  Require(Params::Build(specs, values, p), "parameters");
  return p;
}

// "a,b,c" -> {"a", "b", "c"}; empty pieces are dropped.
inline std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  for (size_t start = 0; start <= text.size();) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    if (comma > start) out.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// The synthetic preset with seed 42, timed and described on stdout.
inline host::Dataset Generate(const std::string& preset) {
  const auto start = Clock::now();
  host::SynthOptions options;
  options.preset = preset;
  options.seed = 42;
  host::Dataset d = host::GenerateSynthetic(options);
  std::printf("dataset synthetic %s: %u users, %u items, %zu interactions (generated in %.1f s)\n",
              preset.c_str(), d.num_users(), d.num_items(), d.size(), Seconds(start));
  return d;
}

// A per-user holdout: each user's interactions shuffled with the user's own
// stream, floor(20%) held out. The training interactions as parallel
// arrays, and per user the sorted held-out items at or above the dataset's
// positive threshold.
struct HoldoutRows {
  std::vector<uint32_t> users, items;
  std::vector<float> values;
  std::vector<std::vector<uint32_t>> relevant;
};

inline HoldoutRows PerUserHoldout(const host::Dataset& d) {
  std::vector<std::vector<size_t>> rows(d.num_users());
  for (size_t e = 0; e < d.size(); ++e) rows[d.users[e]].push_back(e);
  HoldoutRows h;
  h.relevant.resize(d.num_users());
  for (uint32_t u = 0; u < d.num_users(); ++u) {
    std::mt19937_64 rng(1234567 ^ (static_cast<uint64_t>(u) * 0x9E3779B97F4A7C15ull));
    std::shuffle(rows[u].begin(), rows[u].end(), rng);
    const size_t test = rows[u].size() / 5;
    for (size_t k = 0; k < rows[u].size(); ++k) {
      const size_t e = rows[u][k];
      if (k < test) {
        if (d.values[e] >= d.positive_threshold) h.relevant[u].push_back(d.items[e]);
      } else {
        h.users.push_back(u);
        h.items.push_back(d.items[e]);
        h.values.push_back(d.values[e]);
      }
    }
    std::sort(h.relevant[u].begin(), h.relevant[u].end());
  }
  return h;
}

}  // namespace reclift::bench
