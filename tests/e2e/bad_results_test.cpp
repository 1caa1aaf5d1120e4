// `reclift report` and `reclift compare` on results.json files that are not
// what they should be: a clear error naming the file, never a crash.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "cli_support.h"

using namespace reclift::testing;
namespace fs = std::filesystem;

TEST_CASE("reclift report names the file when results.json holds a number beyond double's range", "[e2e]") {
  // Found by fuzz_results: nlohmann's parser reports this overflow as
  // out_of_range, not parse_error, and it escaped without the file's name.
  const fs::path dir = FreshDir("bad-results");
  const fs::path file = dir / "results.json";
  WriteText(file, R"({"schema_version": 1, "x": -0.3834E3350444720053})");
  const CommandResult r =
      RunCommand(Reclift() + " report " + file.string() + " --format md -o " + (dir / "out").string());
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(file.string() + ": not valid JSON") != std::string::npos);
  CHECK(r.err.find("number overflow") != std::string::npos);
  const CommandResult c = RunCommand(Reclift() + " compare " + file.string() + " " + file.string());
  CHECK(c.exit_code == 1);
  CHECK(c.err.find(file.string() + ": not valid JSON") != std::string::npos);
}
