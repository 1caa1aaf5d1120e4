// Context: what the host gives a plugin for one call besides the data.
//
// Randomness: a plugin draws all its randomness from `seed` (for example one
// std::mt19937_64 seeded per task as seed ^ task_index), never from a global
// generator, so that results do not depend on the number of threads.
//
// Threads: the host runs plugin calls inside a oneTBB arena limited to
// `num_threads`; a plugin parallelises with tbb::parallel_for and gets that
// limit for free.
//
// Ownership: the logger is owned by the host and outlives the call.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

namespace reclift {

enum class LogLevel : int { kDebug = 1, kInfo = 2, kWarn = 3, kError = 4 };

// The host's logger, handed to the plugin (so a plugin needs no logging
// library of its own). Thread-safe.
class Logger {
 public:
  virtual ~Logger() = default;
  virtual void Log(LogLevel level, const std::string& message) const = 0;
};

struct Context {
  uint64_t seed = 42;                            // the cell's seed
  int num_threads = 1;                           // the arena's concurrency
  const Logger* logger = nullptr;                // may be null: then logging is off
  const std::atomic<bool>* cancelled = nullptr;  // optional: long loops may poll it

  void Log(LogLevel level, const std::string& message) const {
    if (logger != nullptr) logger->Log(level, message);
  }
  void Info(const std::string& message) const { Log(LogLevel::kInfo, message); }
  void Warn(const std::string& message) const { Log(LogLevel::kWarn, message); }
  bool IsCancelled() const { return cancelled != nullptr && cancelled->load(std::memory_order_relaxed); }
};

}  // namespace reclift
