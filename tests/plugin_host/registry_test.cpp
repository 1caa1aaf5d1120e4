#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "plugin_host/registry.h"
#include "util/error.h"

using namespace reclift;
using namespace reclift::host;
namespace fs = std::filesystem;

namespace {
const fs::path kTestPlugins = RECLIFT_TEST_PLUGIN_DIR;
const fs::path kPlugins = RECLIFT_BUILD_PLUGIN_DIR;

std::string LoadError(const fs::path& file) {
  PluginRegistry reg;
  try {
    reg.LoadFile(file);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("the loader refuses what is not a plugin, naming the file and the reason", "[plugin_host]") {
  SECTION("a file that is not a shared library") {
    const fs::path junk = fs::temp_directory_path() / "reclift-junk-plugin.so";
    std::ofstream(junk) << "this is text";
    const std::string e = LoadError(junk);
    CHECK(e.find(junk.string()) == 0);
    CHECK(e.find("not a shared library") != std::string::npos);
    fs::remove(junk);
  }
  SECTION("a shared library without the info symbol") {
    const std::string e = LoadError(kTestPlugins / "nosym" / "no_info_symbol.so");
    CHECK(e.find("no_info_symbol.so") != std::string::npos);
    CHECK(e.find("the symbol 'reclift_plugin_info' is missing") != std::string::npos);
  }
  SECTION("a library with an unresolved symbol fails at load time (rtld_now)") {
    const std::string e = LoadError(kTestPlugins / "unresolved" / "unresolved.so");
    CHECK(e.find("cannot load shared library") != std::string::npos);
    CHECK(e.find("reclift_test_symbol_that_does_not_exist") != std::string::npos);
  }
  SECTION("an ABI version mismatch names both versions") {
    const std::string e = LoadError(kTestPlugins / "abi" / "abi_mismatch.so");
    CHECK(e.find("ABI version mismatch") != std::string::npos);
    CHECK(e.find("reclift ABI " + std::to_string(kAbiVersion + 98)) != std::string::npos);
    CHECK(e.find("this host has ABI " + std::to_string(kAbiVersion)) != std::string::npos);
  }
  SECTION("an ABI tag mismatch names both tags") {
    const std::string e = LoadError(kTestPlugins / "tag" / "tag_mismatch.so");
    CHECK(e.find("ABI tag mismatch") != std::string::npos);
    CHECK(e.find("'othercc1;libc++1'") != std::string::npos);
    CHECK(e.find(std::string("'") + kAbiTag + "'") != std::string::npos);
  }
}

TEST_CASE("two plugins with one name are an error naming both files", "[plugin_host]") {
  PluginRegistry reg;
  reg.LoadDirectory(kPlugins);
  try {
    reg.LoadDirectory(kTestPlugins / "dup");
    FAIL("a duplicate name was accepted");
  } catch (const Error& e) {
    const std::string what = e.what();
    CHECK(what.find("duplicate plugin name 'popularity'") != std::string::npos);
    CHECK(what.find("second_popularity.so") != std::string::npos);
    CHECK(what.find("popularity.so") != std::string::npos);
  }
}

TEST_CASE("refused files in a directory are reported and the rest load", "[plugin_host]") {
  PluginRegistry reg;
  reg.LoadDirectory(kPlugins);
  reg.LoadDirectory(kTestPlugins / "abi");
  CHECK(reg.Find(PluginKind::kRecommender, "popularity") != nullptr);
  REQUIRE(reg.Refused().size() == 1);
  CHECK(reg.Refused()[0].reason.find("ABI version mismatch") != std::string::npos);
}

TEST_CASE("creating an unknown plugin suggests the closest name", "[plugin_host]") {
  PluginRegistry reg;
  reg.LoadDirectory(kPlugins);
  try {
    reg.CreateRecommender("populraity");
    FAIL("an unknown name was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "unknown recommender 'populraity' (did you mean 'popularity'?)");
  }
  try {
    reg.CreateRecommender("activity");
    FAIL("a profiler was created as a recommender");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == "unknown recommender 'activity': 'activity' is a profiler");
  }
}

TEST_CASE("a handle keeps its library loaded while the instance lives", "[plugin_host]") {
  RecommenderHandle handle;
  {
    PluginRegistry reg;
    reg.LoadDirectory(kPlugins);
    handle = reg.CreateRecommender("popularity");
  }  // the registry is gone; the handle still owns the library
  REQUIRE(handle);
  CHECK(std::string(handle.info().name) == "popularity");
  const uint32_t items[] = {0};
  float out[1];
  // calling into the plugin's code after the registry is destroyed must work
  Status s = handle->Score(0, items, out);
  CHECK_FALSE(s.ok());  // not fitted: a Status, not a crash
}
