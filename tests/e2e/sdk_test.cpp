// The installed SDK: a plugin scaffolded by `reclift new` builds out of the
// tree with find_package(reclift) alone, passes its own tests and the shared
// contract, and runs in an experiment with the installed program.
#include <catch2/catch.hpp>

#include "e2e/cli_support.h"

using namespace reclift::testing;
namespace fs = std::filesystem;

TEST_CASE("an out-of-tree plugin builds against the installed SDK and runs in an experiment", "[e2e][slow]") {
  const fs::path dir = FreshDir("sdk");
  const fs::path prefix = dir / "prefix";
  auto r = RunCommand("cmake --install " + std::string(RECLIFT_BUILD_DIR) + " --prefix " + prefix.string());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string reclift = (prefix / "bin" / "reclift").string();
  REQUIRE(fs::exists(prefix / "include" / "reclift" / "reclift.h"));
  REQUIRE(fs::exists(prefix / "lib" / "cmake" / "reclift" / "recliftConfig.cmake"));

  // the installed program finds the installed plugins by itself
  r = RunCommand(reclift + " plugins --kind recommender");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("popularity") != std::string::npos);

  for (const std::string kind : {"recommender", "profiler", "evaluator"}) {
    const std::string name = "my_" + kind;
    const fs::path src = dir / ("src-" + kind), bld = dir / ("build-" + kind);
    r = RunCommand(reclift + " new " + kind + " " + name + " --dir " + src.string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = RunCommand("cmake -S " + src.string() + " -B " + bld.string() +
                   " -G Ninja -DCMAKE_BUILD_TYPE=Release" + " -DCMAKE_PREFIX_PATH=" + prefix.string());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = RunCommand("cmake --build " + bld.string() + " -j2");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    r = RunCommand("ctest --test-dir " + bld.string() + " --output-on-failure");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("contract." + name) != std::string::npos);
    CHECK(r.out.find("100% tests passed") != std::string::npos);
  }

  const std::string toml = R"([experiment]
name = "sdk"
output = ")" + (dir / "out").string() +
                           R"("
plugin_paths = [")" + (dir / "build-recommender" / "plugins-out").string() +
                           R"(", ")" + (dir / "build-profiler" / "plugins-out").string() + R"(", ")" +
                           (dir / "build-evaluator" / "plugins-out").string() + R"("]

[dataset]
format = "synthetic"
preset = "tiny"

[[arms]]
name = "control"
recommender = "popularity"

[[arms]]
name = "mine"
recommender = "my_recommender"
params = { prior = 1.5 }

[evaluation]
k = [5]
evaluators = ["ranking", "my_evaluator"]

[[profilers]]
plugin = "my_profiler"
)";
  WriteText(dir / "exp.toml", toml);
  r = RunCommand(reclift + " run " + (dir / "exp.toml").string() + " --quiet");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path results = dir / "out" / "latest" / "results.json";
  REQUIRE(fs::exists(results));
  auto j = nlohmann::json::parse(ReadText(results));
  CHECK(j["arms"][1]["status"] == "ok");
  CHECK(j["arms"][1]["plugin"] == "my_recommender@0.1.0");
  CHECK(j["arms"][1]["metrics"].contains("my_evaluator@5"));
  CHECK(j["profilers"][0]["name"] == "my_profiler");
}
