// The Logger a plugin is handed: passes its lines to spdlog with a prefix
// ("arm als: ") and keeps warnings and errors for results.json.
#pragma once

#include <spdlog/spdlog.h>

#include <mutex>
#include <string>
#include <vector>

#include "reclift/context.h"

namespace reclift::host {

class RunLogger final : public Logger {
 public:
  explicit RunLogger(std::string prefix) : prefix_(std::move(prefix)) {}
  void Log(LogLevel level, const std::string& message) const override {
    const std::string line = prefix_ + message;
    switch (level) {
      case LogLevel::kDebug: spdlog::debug("{}", line); break;
      case LogLevel::kInfo: spdlog::info("{}", line); break;
      case LogLevel::kWarn: spdlog::warn("{}", line); break;
      case LogLevel::kError: spdlog::error("{}", line); break;
    }
    if (level >= LogLevel::kWarn) {
      std::lock_guard<std::mutex> lock(mutex_);
      kept_.push_back(line);
    }
  }
  std::vector<std::string> Kept() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return kept_;
  }

 private:
  std::string prefix_;
  mutable std::mutex mutex_;
  mutable std::vector<std::string> kept_;
};

}  // namespace reclift::host
