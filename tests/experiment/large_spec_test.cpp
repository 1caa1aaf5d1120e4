// Inputs people really produce, at sizes people really reach: an experiment
// file that is valid but enormous must parse in about linear time, and a
// mistake deep inside it must still be reported with its line.
#include <catch2/catch.hpp>
#include <string>

#include "experiment/spec.h"
#include "util/error.h"

using namespace reclift::host;

namespace {

// 100,000 [[arms]] tables, 3 lines each after a 4-line head: arm k's name
// is on line 4 + 3k + 2.
std::string HundredThousandArms() {
  std::string toml = "[experiment]\nname = \"big\"\n[dataset]\nformat = \"synthetic\"\n";
  for (int k = 0; k < 100000; ++k) {
    toml += "[[arms]]\nname = \"a" + std::to_string(k) + "\"\nrecommender = \"popularity\"\n";
  }
  return toml;
}

}  // namespace

TEST_CASE("an experiment with 100000 arms parses and a duplicate among them is found by line",
          "[experiment]") {
  std::string toml = HundredThousandArms();
  const ExperimentSpec spec = ParseExperimentString(toml, "big.toml");
  REQUIRE(spec.arms.size() == 100000);
  CHECK(spec.arms.back().name == "a99999");

  // the last arm renamed to the first's name: 4 + 3 * 99999 + 2 = line 300003
  const size_t last = toml.rfind("name = \"a99999\"");
  toml.replace(last, std::string("name = \"a99999\"").size(), "name = \"a0\"");
  CHECK_THROWS_WITH(ParseExperimentString(toml, "big.toml"),
                    Catch::Matchers::StartsWith("big.toml:300003:") &&
                        Catch::Matchers::Contains("duplicate arm name 'a0' (first used"));
}
