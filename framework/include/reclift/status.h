// Status: the error value that crosses the plugin boundary.
//
// No exception may cross between a plugin and the host. Every plugin entry
// point returns a Status instead; the export macros in plugin.h turn any
// exception a plugin lets escape into Status::Internal.
//
//   reclift::Status s = model.Fit(data, params, ctx);
//   if (!s.ok()) spdlog::error("fit failed: {}", s.message());
//
// Thread-safety: a Status is a value; copies are independent.
#pragma once

#include <string>
#include <utility>

namespace reclift {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument = 1,  // the caller passed something wrong (a parameter, an id)
  kNotSupported = 2,     // an optional capability the plugin does not provide
  kInternal = 3,         // anything else: a bug, an exception, a numerical failure
};

class Status {
 public:
  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status NotSupported(std::string message) {
    return Status(StatusCode::kNotSupported, std::move(message));
  }
  static Status Internal(std::string message) { return Status(StatusCode::kInternal, std::move(message)); }

  bool ok() const { return code_ == StatusCode::kOk; }
  bool not_supported() const { return code_ == StatusCode::kNotSupported; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid argument: factors must be positive"
  std::string ToString() const {
    switch (code_) {
      case StatusCode::kOk: return "ok";
      case StatusCode::kInvalidArgument: return "invalid argument: " + message_;
      case StatusCode::kNotSupported: return "not supported: " + message_;
      case StatusCode::kInternal: return "internal error: " + message_;
    }
    return message_;
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Returns early from the enclosing function when `expr` is not ok.
#define RECLIFT_RETURN_IF_ERROR(expr)                  \
  do {                                                 \
    ::reclift::Status reclift_status_ = (expr);        \
    if (!reclift_status_.ok()) return reclift_status_; \
  } while (0)

}  // namespace reclift
