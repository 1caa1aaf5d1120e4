// The binary boundary: what a plugin library exports, and the macros that
// write it.
//
// One shared library is one plugin. It exports a single C symbol,
// `reclift_plugin_info`, returning a pointer to a static PluginInfo. The host
// reads it, checks `abi_version` and `abi_tag` against its own before calling
// anything else, and refuses a mismatch with a message naming the file and
// both versions.
//
// A plugin author writes a class implementing Recommender, Profiler,
// Evaluator or Estimator and one macro line:
//
//   static const reclift::ParamSpec kParams[] = {
//       {"window_days", reclift::ParamType::kInt, "0", 0, 36500, nullptr,
//        "count only the last N days of interactions (0 = all)"}};
//   RECLIFT_RECOMMENDER_PLUGIN(MostPopular, "popularity", "1.0.0",
//                              "Items ranked by training popularity",
//                              kParams, 0)
//
// (pass `nullptr` for a plugin with no parameters). The macro wraps every
// entry point in try/catch, so no exception crosses into the host: an escaped
// exception becomes Status::Internal with its what() text.
//
// Versioning: bump kAbiVersion whenever a virtual function, a struct field or
// the meaning of one in these headers changes. A plugin bumps its own
// `version` whenever its outputs change; every result records name@version.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <span>
#include <string>

#include "reclift/estimator.h"
#include "reclift/evaluator.h"
#include "reclift/profiler.h"
#include "reclift/recommender.h"

namespace reclift {

// 2: Recommender::SetChildren; 3: MetricColumn::directional;
// 4: PluginKind::kEstimator (estimator.h)
inline constexpr uint32_t kAbiVersion = 4;

#define RECLIFT_STRINGIFY_IMPL_(x) #x
#define RECLIFT_STRINGIFY_(x) RECLIFT_STRINGIFY_IMPL_(x)
#if defined(__clang__)
#define RECLIFT_COMPILER_TAG_ "clang" RECLIFT_STRINGIFY_(__clang_major__)
#elif defined(__GNUC__)
#define RECLIFT_COMPILER_TAG_ "gcc" RECLIFT_STRINGIFY_(__GNUC__)
#else
#define RECLIFT_COMPILER_TAG_ "unknown-compiler"
#endif
#if defined(_GLIBCXX_RELEASE)
#define RECLIFT_STDLIB_TAG_ \
  "libstdc++" RECLIFT_STRINGIFY_(_GLIBCXX_RELEASE) ";cxx11abi=" RECLIFT_STRINGIFY_(_GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define RECLIFT_STDLIB_TAG_ "libc++" RECLIFT_STRINGIFY_(_LIBCPP_VERSION)
#else
#define RECLIFT_STDLIB_TAG_ "unknown-stdlib"
#endif
#if defined(_GLIBCXX_DEBUG)
#define RECLIFT_DEBUG_TAG_ ";stl-debug"
#else
#define RECLIFT_DEBUG_TAG_ ""
#endif

// The ABI tag: compiler family and major version, standard library and its
// ABI switches. Host and plugin must agree exactly.
inline constexpr const char* kAbiTag = RECLIFT_COMPILER_TAG_ ";" RECLIFT_STDLIB_TAG_ RECLIFT_DEBUG_TAG_;

enum class PluginKind : int { kRecommender = 0, kProfiler = 1, kEvaluator = 2, kEstimator = 3 };

inline const char* PluginKindName(PluginKind k) {
  switch (k) {
    case PluginKind::kRecommender: return "recommender";
    case PluginKind::kProfiler: return "profiler";
    case PluginKind::kEvaluator: return "evaluator";
    case PluginKind::kEstimator: return "estimator";
  }
  return "unknown";
}

// Plain data: read by the host before anything else of the plugin runs.
struct PluginInfo {
  uint32_t abi_version;  // kAbiVersion the plugin was built with
  const char* abi_tag;   // kAbiTag the plugin was built with
  PluginKind kind;
  const char* name;         // unique among loaded plugins, snake_case
  const char* version;      // semantic version of the plugin's behaviour
  const char* description;  // one line
  const ParamSpec* params;  // declared parameters (may be null when none)
  size_t num_params;
  uint32_t capabilities;  // RecommenderCapability or EstimatorCapability bits; 0 for other kinds
  // Creates an instance: a Recommender*, Profiler*, Evaluator* or Estimator* by `kind`,
  // as void*. Returns null (never throws) on failure, with a message in
  // error_buffer.
  void* (*create)(char* error_buffer, size_t error_buffer_size);
  // Destroys an instance made by `create`. Never throws.
  void (*destroy)(void* instance);

  std::span<const ParamSpec> param_specs() const {
    return params == nullptr ? std::span<const ParamSpec>() : std::span<const ParamSpec>(params, num_params);
  }
};

using PluginInfoFunction = const PluginInfo*();
inline constexpr const char* kPluginInfoSymbol = "reclift_plugin_info";

namespace detail {

template <class F>
Status Guard(const char* what, F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Status::Internal(std::string(what) + ": out of memory");
  } catch (const std::exception& e) {
    return Status::Internal(std::string(what) + ": " + e.what());
  } catch (...) {
    return Status::Internal(std::string(what) + ": unknown exception");
  }
}

// Wraps a plugin's class so that no exception escapes any entry point.
template <class Impl>
class GuardedRecommender final : public Recommender {
 public:
  Status Fit(const TrainData& d, const Params& p, const Context& c) override {
    return Guard("Fit", [&] { return impl_.Fit(d, p, c); });
  }
  Status Score(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
    return Guard("Score", [&] { return impl_.Score(u, items, out); });
  }
  Status ScoreBatch(std::span<const uint32_t> users, std::span<float> out) const override {
    return Guard("ScoreBatch", [&] { return impl_.ScoreBatch(users, out); });
  }
  Status Predict(uint32_t u, std::span<const uint32_t> items, std::span<float> out) const override {
    return Guard("Predict", [&] { return impl_.Predict(u, items, out); });
  }
  Status SetChildren(std::span<const ChildRecommender> children) override {
    return Guard("SetChildren", [&] { return impl_.SetChildren(children); });
  }
  Status ScoreHistory(std::span<const uint32_t> hi, std::span<const float> hv,
                      std::span<const uint32_t> items, std::span<float> out) const override {
    return Guard("ScoreHistory", [&] { return impl_.ScoreHistory(hi, hv, items, out); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedProfiler final : public Profiler {
 public:
  Status Fit(const TrainData& d, const Params& p, const Context& c) override {
    return Guard("Fit", [&] { return impl_.Fit(d, p, c); });
  }
  Status Segments(std::vector<std::string>& names, std::span<uint32_t> seg) const override {
    return Guard("Segments", [&] { return impl_.Segments(names, seg); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedEvaluator final : public Evaluator {
 public:
  Status Configure(const Params& p, const EvalContext& c) override {
    return Guard("Configure", [&] { return impl_.Configure(p, c); });
  }
  std::vector<MetricColumn> Columns() const override {
    try {
      return impl_.Columns();
    } catch (...) {
      return {};
    }
  }
  Status EvaluateUser(const UserEvalInput& u, std::span<double> out) const override {
    return Guard("EvaluateUser", [&] { return impl_.EvaluateUser(u, out); });
  }
  Status EvaluateLists(std::span<const UserEvalInput> users, std::span<double> out) const override {
    return Guard("EvaluateLists", [&] { return impl_.EvaluateLists(users, out); });
  }

 private:
  Impl impl_;
};

template <class Impl>
class GuardedEstimator final : public Estimator {
 public:
  Status Configure(const Params& p, const EstimatorContext& c) override {
    return Guard("Configure", [&] { return impl_.Configure(p, c); });
  }
  uint32_t NumComponents() const override {
    try {
      return impl_.NumComponents();
    } catch (...) {
      return 0;
    }
  }
  Status Terms(const LoggedFeedbackView& v, std::span<double> num, std::span<double> den) const override {
    return Guard("Terms", [&] { return impl_.Terms(v, num, den); });
  }

 private:
  Impl impl_;
};

template <class Interface, class Guarded>
void* CreateGuarded(char* error_buffer, size_t size) noexcept {
  auto report = [&](const char* msg) {
    if (error_buffer != nullptr && size > 0) {
      size_t n = 0;
      for (; msg[n] != '\0' && n + 1 < size; ++n) error_buffer[n] = msg[n];
      error_buffer[n] = '\0';
    }
  };
  try {
    return static_cast<void*>(static_cast<Interface*>(new Guarded()));
  } catch (const std::exception& e) {
    report(e.what());
  } catch (...) {
    report("unknown exception in constructor");
  }
  return nullptr;
}

template <class Interface>
void DestroyGuarded(void* p) noexcept {
  delete static_cast<Interface*>(p);
}

template <size_t N>
constexpr const ParamSpec* SpecData(const ParamSpec (&a)[N]) {
  return a;
}
constexpr const ParamSpec* SpecData(std::nullptr_t) {
  return nullptr;
}
template <size_t N>
constexpr size_t SpecCount(const ParamSpec (&)[N]) {
  return N;
}
constexpr size_t SpecCount(std::nullptr_t) {
  return 0;
}

}  // namespace detail
}  // namespace reclift

#if defined(_WIN32)
#define RECLIFT_EXPORT_ __declspec(dllexport)
#else
#define RECLIFT_EXPORT_ __attribute__((visibility("default")))
#endif

#define RECLIFT_DEFINE_PLUGIN_(KIND, INTERFACE, GUARDED, CLASS, NAME, VERSION, DESCRIPTION, PARAMS, CAPS)    \
  extern "C" RECLIFT_EXPORT_ const ::reclift::PluginInfo* reclift_plugin_info() {                            \
    static const ::reclift::PluginInfo info = {::reclift::kAbiVersion,                                       \
                                               ::reclift::kAbiTag,                                           \
                                               KIND,                                                         \
                                               NAME,                                                         \
                                               VERSION,                                                      \
                                               DESCRIPTION,                                                  \
                                               ::reclift::detail::SpecData(PARAMS),                          \
                                               ::reclift::detail::SpecCount(PARAMS),                         \
                                               static_cast<uint32_t>(CAPS),                                  \
                                               &::reclift::detail::CreateGuarded<INTERFACE, GUARDED<CLASS>>, \
                                               &::reclift::detail::DestroyGuarded<INTERFACE>};               \
    return &info;                                                                                            \
  }

// Exports CLASS (a reclift::Recommender) as the library's plugin.
// CAPS: a bitwise-or of reclift::RecommenderCapability, or 0.
#define RECLIFT_RECOMMENDER_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION, PARAMS, CAPS)                        \
  RECLIFT_DEFINE_PLUGIN_(::reclift::PluginKind::kRecommender, ::reclift::Recommender,                      \
                         ::reclift::detail::GuardedRecommender, CLASS, NAME, VERSION, DESCRIPTION, PARAMS, \
                         CAPS)

// Exports CLASS (a reclift::Profiler) as the library's plugin.
#define RECLIFT_PROFILER_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION, PARAMS)      \
  RECLIFT_DEFINE_PLUGIN_(::reclift::PluginKind::kProfiler, ::reclift::Profiler, \
                         ::reclift::detail::GuardedProfiler, CLASS, NAME, VERSION, DESCRIPTION, PARAMS, 0)

// Exports CLASS (a reclift::Evaluator) as the library's plugin.
#define RECLIFT_EVALUATOR_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION, PARAMS)       \
  RECLIFT_DEFINE_PLUGIN_(::reclift::PluginKind::kEvaluator, ::reclift::Evaluator, \
                         ::reclift::detail::GuardedEvaluator, CLASS, NAME, VERSION, DESCRIPTION, PARAMS, 0)

// Exports CLASS (a reclift::Estimator) as the library's plugin.
// CAPS: a bitwise-or of reclift::EstimatorCapability, or 0.
#define RECLIFT_ESTIMATOR_PLUGIN(CLASS, NAME, VERSION, DESCRIPTION, PARAMS, CAPS)                        \
  RECLIFT_DEFINE_PLUGIN_(::reclift::PluginKind::kEstimator, ::reclift::Estimator,                        \
                         ::reclift::detail::GuardedEstimator, CLASS, NAME, VERSION, DESCRIPTION, PARAMS, \
                         CAPS)
