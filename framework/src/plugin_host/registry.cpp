#include "plugin_host/registry.h"

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <boost/dll/shared_library.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "util/error.h"
#include "util/text.h"

namespace reclift::host {
namespace fs = std::filesystem;

PluginRegistry::PluginRegistry() = default;
PluginRegistry::~PluginRegistry() = default;

namespace {

fs::path ExecutableDir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

bool HasElfHeader(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  in.read(magic, 4);
  return in.gcount() == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
}

bool IsSnakeCase(const char* s) {
  if (s == nullptr || *s == '\0') return false;
  for (const char* c = s; *c; ++c) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-')) return false;
  }
  return true;
}

}  // namespace

std::string CheckPluginInfo(const PluginInfo& info) {
  if (!IsSnakeCase(info.name)) return "plugin name must be non-empty lower_snake_case";
  if (info.version == nullptr || *info.version == '\0') return "version is empty";
  if (info.description == nullptr || *info.description == '\0') return "description is empty";
  if (info.create == nullptr || info.destroy == nullptr) return "create/destroy functions missing";
  const int kind = static_cast<int>(info.kind);
  if (kind < 0 || kind > 3) return "unknown plugin kind " + std::to_string(kind);
  if (info.num_params > 0 && info.params == nullptr) return "num_params > 0 but params is null";
  std::vector<std::string> seen;
  for (const auto& spec : info.param_specs()) {
    if (!IsSnakeCase(spec.name)) return "a parameter name is empty or not snake_case";
    if (std::find(seen.begin(), seen.end(), spec.name) != seen.end()) {
      return std::string("parameter '") + spec.name + "' is declared twice";
    }
    seen.emplace_back(spec.name);
    if (spec.doc == nullptr || *spec.doc == '\0')
      return std::string("parameter '") + spec.name + "' has no doc";
    ParamValue v;
    Status s = ParseParamDefault(spec, v);
    if (!s.ok()) return "invalid default: " + s.message();
  }
  return "";
}

std::vector<fs::path> PluginRegistry::DefaultSearchPath() {
  std::vector<fs::path> dirs;
  const fs::path installed = ExecutableDir() / ".." / RECLIFT_INSTALL_PLUGIN_DIR_REL;
  std::error_code ec;
  if (fs::is_directory(installed, ec)) {
    dirs.push_back(fs::weakly_canonical(installed, ec));
  } else if (fs::is_directory(RECLIFT_BUILD_PLUGIN_DIR, ec)) {
    dirs.emplace_back(RECLIFT_BUILD_PLUGIN_DIR);
  }
  if (const char* env = std::getenv("RECLIFT_PLUGIN_PATH")) {
    std::string s(env);
    size_t start = 0;
    while (start <= s.size()) {
      size_t colon = s.find(':', start);
      if (colon == std::string::npos) colon = s.size();
      if (colon > start) dirs.emplace_back(s.substr(start, colon - start));
      start = colon + 1;
    }
  }
  return dirs;
}

LoadedPlugin PluginRegistry::Open(const fs::path& file) const {
  const std::string where = file.string();
  std::error_code fec;
  if (!fs::is_regular_file(file, fec)) throw Error(where + ": not a file");
  if (!HasElfHeader(file)) throw Error(where + ": not a shared library (no ELF header)");
  auto lib = std::make_shared<boost::dll::shared_library>();
  std::error_code ec;
  ::dlerror();
  lib->load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local, ec);
  if (ec || !lib->is_loaded()) {
    const char* why = ::dlerror();
    throw Error(where + ": cannot load shared library: " + (why ? why : ec.message()));
  }
  if (!lib->has(kPluginInfoSymbol)) {
    throw Error(where + ": not a reclift plugin: the symbol '" + std::string(kPluginInfoSymbol) +
                "' is missing (export it with RECLIFT_RECOMMENDER_PLUGIN, RECLIFT_PROFILER_PLUGIN or "
                "RECLIFT_EVALUATOR_PLUGIN)");
  }
  auto& get_info = lib->get<PluginInfoFunction>(kPluginInfoSymbol);
  const PluginInfo* info = get_info();
  if (info == nullptr) throw Error(where + ": reclift_plugin_info() returned null");
  if (info->abi_version != kAbiVersion) {
    throw Error(where + ": ABI version mismatch: the plugin was built for reclift ABI " +
                std::to_string(info->abi_version) + ", this host has ABI " + std::to_string(kAbiVersion) +
                "; rebuild the plugin against this reclift SDK");
  }
  const std::string tag = info->abi_tag ? info->abi_tag : "";
  if (tag != kAbiTag) {
    throw Error(where + ": ABI tag mismatch: the plugin was built with '" + tag + "', this host with '" +
                std::string(kAbiTag) + "'; rebuild the plugin with the same compiler and standard library");
  }
  if (std::string problem = CheckPluginInfo(*info); !problem.empty()) {
    throw Error(where + ": incomplete plugin info: " + problem);
  }
  return LoadedPlugin{file, std::move(lib), info};
}

void PluginRegistry::Add(LoadedPlugin p) {
  const std::string name = p.info->name;
  if (auto it = by_name_.find(name); it != by_name_.end()) {
    throw Error(p.path.string() + ": duplicate plugin name '" + name + "': already loaded from " +
                plugins_[it->second].path.string());
  }
  by_name_[name] = plugins_.size();
  plugins_.push_back(std::move(p));
}

const LoadedPlugin& PluginRegistry::LoadFile(const fs::path& file) {
  std::error_code ec;
  const fs::path canonical = fs::weakly_canonical(file, ec);
  for (size_t i = 0; i < plugins_.size(); ++i) {
    if (fs::weakly_canonical(plugins_[i].path, ec) == canonical) return plugins_[i];
  }
  Add(Open(file));
  return plugins_.back();
}

void PluginRegistry::LoadDirectory(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw Error("plugin directory not found: " + dir.string());
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".so") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    const fs::path canonical = fs::weakly_canonical(f, ec);
    if (std::find(loaded_files_.begin(), loaded_files_.end(), canonical) != loaded_files_.end()) continue;
    loaded_files_.push_back(canonical);
    LoadedPlugin p;
    try {
      p = Open(f);
    } catch (const Error& e) {
      refused_.push_back({f, e.what()});
      continue;
    }
    Add(std::move(p));  // a duplicate name throws
  }
}

const PluginInfo* PluginRegistry::Find(PluginKind kind, const std::string& name) const {
  auto it = by_name_.find(name);
  if (it == by_name_.end()) return nullptr;
  const PluginInfo* info = plugins_[it->second].info;
  return info->kind == kind ? info : nullptr;
}

const LoadedPlugin* PluginRegistry::FindLoaded(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &plugins_[it->second];
}

std::vector<std::string> PluginRegistry::Names(PluginKind kind) const {
  std::vector<std::string> names;
  for (const auto& p : plugins_) {
    if (p.info->kind == kind) names.emplace_back(p.info->name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

const LoadedPlugin& PluginRegistry::Require(PluginKind kind, const std::string& name) const {
  const LoadedPlugin* p = FindLoaded(name);
  if (p == nullptr || p->info->kind != kind) {
    std::string msg = std::string("unknown ") + PluginKindName(kind) + " '" + name + "'";
    if (p != nullptr) {
      msg += ": '" + name + "' is a " + PluginKindName(p->info->kind);
    } else {
      const auto names = Names(kind);
      const std::string hint = DidYouMean(name, names);
      msg += hint.empty() ? " (available: " + Join(names, ", ") + ")" : hint;
    }
    throw Error(msg);
  }
  return *p;
}

void* PluginRegistry::CreateRaw(const LoadedPlugin& p) const {
  char error[512] = {};
  void* instance = p.info->create(error, sizeof error);
  if (instance == nullptr) {
    throw Error(std::string(PluginKindName(p.info->kind)) + " '" + p.info->name +
                "': cannot create an instance: " + (error[0] ? error : "create returned null"));
  }
  return instance;
}

RecommenderHandle PluginRegistry::CreateRecommender(const std::string& name) const {
  const LoadedPlugin& p = Require(PluginKind::kRecommender, name);
  return RecommenderHandle(p.library, p.info, static_cast<Recommender*>(CreateRaw(p)));
}

ProfilerHandle PluginRegistry::CreateProfiler(const std::string& name) const {
  const LoadedPlugin& p = Require(PluginKind::kProfiler, name);
  return ProfilerHandle(p.library, p.info, static_cast<Profiler*>(CreateRaw(p)));
}

EvaluatorHandle PluginRegistry::CreateEvaluator(const std::string& name) const {
  const LoadedPlugin& p = Require(PluginKind::kEvaluator, name);
  return EvaluatorHandle(p.library, p.info, static_cast<Evaluator*>(CreateRaw(p)));
}

EstimatorHandle PluginRegistry::CreateEstimator(const std::string& name) const {
  const LoadedPlugin& p = Require(PluginKind::kEstimator, name);
  return EstimatorHandle(p.library, p.info, static_cast<Estimator*>(CreateRaw(p)));
}

}  // namespace reclift::host
