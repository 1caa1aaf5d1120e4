// Helpers for end-to-end tests that run the built `reclift` program.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace reclift::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a shell command line; captures stdout, stderr and the exit code.
inline CommandResult RunCommand(const std::string& command) {
  namespace fs = std::filesystem;
  static int counter = 0;
  const fs::path base = fs::temp_directory_path() /
                        ("reclift-cmd-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  const std::string line = "(" + command + ") >" + base.string() + ".out 2>" + base.string() + ".err";
  const int status = std::system(line.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = ReadText(base.string() + ".out");
  r.err = ReadText(base.string() + ".err");
  fs::remove(base.string() + ".out");
  fs::remove(base.string() + ".err");
  return r;
}

inline std::string Reclift() {
  return std::string(RECLIFT_BIN_DIR) + "/reclift";
}

// A fresh empty directory under the temp dir.
inline std::filesystem::path FreshDir(const std::string& name) {
  namespace fs = std::filesystem;
  const fs::path d = fs::temp_directory_path() / ("reclift-test-" + std::to_string(::getpid())) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

inline void WriteText(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

// results.json without the fields that say when, where, how fast and on
// which rank or host a run was made: what two runs of one experiment must
// agree on whatever the executor, the parallelism or the interruptions.
inline nlohmann::json WithoutRunFacts(nlohmann::json j) {
  j.erase("log");
  for (const char* k : {"started_at", "seconds", "engine", "threads", "run_dir", "file"})
    j["experiment"].erase(k);
  j["dataset"].erase("load_seconds");
  for (const char* k : {"isolation", "parallel_cells", "output", "file"}) j["config"]["experiment"].erase(k);
  auto strip = [](nlohmann::json& arms) {
    for (auto& a : arms) {
      for (const char* k :
           {"fit_seconds", "eval_seconds", "peak_rss_bytes", "model_rss_bytes", "host", "rank"}) {
        a.erase(k);
      }
    }
  };
  strip(j["arms"]);
  for (auto& c : j["cells"]) strip(c["arms"]);
  return j;
}

}  // namespace reclift::testing
