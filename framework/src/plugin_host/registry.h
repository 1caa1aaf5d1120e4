// PluginRegistry: finds, loads and checks plugin libraries, and creates
// plugin instances owned by handles that keep their library loaded.
//
// Loading: every regular file ending in ".so" in the search directories
// (not recursive) is opened with Boost.DLL in rtld_now mode, so an
// unresolved symbol is a load-time error. Before anything else of the
// plugin runs, the exported PluginInfo's ABI version and tag are compared
// with the host's. A file that is refused (not a shared library, no
// `reclift_plugin_info` symbol, ABI mismatch, incomplete info) is reported
// in Refused() with a message naming the file; two plugins with one name are
// an error at once.
//
// Thread-safety: load everything first (single-threaded), then Find/Create
// may be called from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "plugin_host/catalog.h"
#include "reclift/plugin.h"

namespace boost::dll {
class shared_library;
}

namespace reclift::host {

// Owns one plugin instance and (shared) its library: the instance is
// destroyed through the plugin's own destroy function before the library
// can be unloaded.
template <class Interface>
class PluginHandle {
 public:
  PluginHandle() = default;
  PluginHandle(std::shared_ptr<boost::dll::shared_library> library, const PluginInfo* info,
               Interface* instance)
      : library_(std::move(library)), info_(info), instance_(instance) {}
  PluginHandle(PluginHandle&& o) noexcept { *this = std::move(o); }
  PluginHandle& operator=(PluginHandle&& o) noexcept {
    if (this != &o) {
      Reset();
      library_ = std::move(o.library_);
      info_ = o.info_;
      instance_ = o.instance_;
      o.instance_ = nullptr;
    }
    return *this;
  }
  PluginHandle(const PluginHandle&) = delete;
  PluginHandle& operator=(const PluginHandle&) = delete;
  ~PluginHandle() { Reset(); }

  Interface* operator->() const { return instance_; }
  Interface& operator*() const { return *instance_; }
  Interface* get() const { return instance_; }
  const PluginInfo& info() const { return *info_; }
  explicit operator bool() const { return instance_ != nullptr; }

 private:
  void Reset() {
    if (instance_ != nullptr) info_->destroy(static_cast<void*>(instance_));
    instance_ = nullptr;
  }
  // declared first: released after the instance is destroyed
  std::shared_ptr<boost::dll::shared_library> library_;
  const PluginInfo* info_ = nullptr;
  Interface* instance_ = nullptr;
};

using RecommenderHandle = PluginHandle<Recommender>;
using ProfilerHandle = PluginHandle<Profiler>;
using EvaluatorHandle = PluginHandle<Evaluator>;
using EstimatorHandle = PluginHandle<Estimator>;

struct LoadedPlugin {
  std::filesystem::path path;
  std::shared_ptr<boost::dll::shared_library> library;
  const PluginInfo* info = nullptr;
};

struct RefusedPlugin {
  std::filesystem::path path;
  std::string reason;  // "<file>: <why>"
};

class PluginRegistry final : public PluginCatalog {
 public:
  PluginRegistry();
  ~PluginRegistry() override;
  PluginRegistry(const PluginRegistry&) = delete;
  PluginRegistry& operator=(const PluginRegistry&) = delete;

  // The directories searched by default, in order: the plugins installed
  // beside the program (<prefix>/lib/reclift/plugins) or, for a program run
  // from the build tree, the build's plugin directory; then every directory
  // of RECLIFT_PLUGIN_PATH (colon-separated).
  static std::vector<std::filesystem::path> DefaultSearchPath();

  // Loads every *.so of a directory. A missing directory is an Error naming
  // it. Refused files are recorded (see Refused()); a duplicate plugin name
  // throws an Error naming both files.
  void LoadDirectory(const std::filesystem::path& dir);

  // Loads one file; throws Error naming the file and the reason when it is
  // refused (or when its name duplicates a loaded plugin's).
  const LoadedPlugin& LoadFile(const std::filesystem::path& file);

  const PluginInfo* Find(PluginKind kind, const std::string& name) const override;
  std::vector<std::string> Names(PluginKind kind) const override;
  const LoadedPlugin* FindLoaded(const std::string& name) const;
  const std::vector<LoadedPlugin>& Plugins() const { return plugins_; }
  const std::vector<RefusedPlugin>& Refused() const { return refused_; }

  // Create instances. Throw Error when the name is unknown (with "did you
  // mean") or the plugin's create function fails (with its message).
  RecommenderHandle CreateRecommender(const std::string& name) const;
  ProfilerHandle CreateProfiler(const std::string& name) const;
  EvaluatorHandle CreateEvaluator(const std::string& name) const;
  EstimatorHandle CreateEstimator(const std::string& name) const;

 private:
  const LoadedPlugin& Require(PluginKind kind, const std::string& name) const;
  void* CreateRaw(const LoadedPlugin& p) const;
  LoadedPlugin Open(const std::filesystem::path& file) const;  // throws Error
  void Add(LoadedPlugin p);

  std::vector<LoadedPlugin> plugins_;
  std::vector<RefusedPlugin> refused_;
  std::map<std::string, size_t> by_name_;
  std::vector<std::filesystem::path> loaded_files_;  // canonical, to skip repeats
};

// Checks that an info struct is complete and consistent (name, version,
// description, parameter specs whose defaults satisfy their own ranges).
// Returns "" when fine, else what is wrong.
std::string CheckPluginInfo(const PluginInfo& info);

}  // namespace reclift::host
