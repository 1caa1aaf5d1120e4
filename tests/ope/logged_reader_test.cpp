#include "ope/logged_reader.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "data/synth.h"
#include "ope/simulator.h"
#include "util/error.h"

namespace {

using namespace reclift::host;
namespace fs = std::filesystem;

// A csv of logged rows in a fresh temporary folder.
struct LogFile {
  fs::path dir;
  LoggedSpec spec;
  explicit LogFile(const std::string& text, const std::string& name = "logged.csv") {
    dir = fs::temp_directory_path() / ("reclift-ope-" + std::to_string(reinterpret_cast<uintptr_t>(this)));
    fs::create_directories(dir);
    std::ofstream(dir / name) << text;
    spec.present = true;
    spec.file = dir / name;
  }
  ~LogFile() { fs::remove_all(dir); }
  std::string Path() const { return spec.file.string(); }
};

constexpr const char* kHeader = "round,user,item,position,reward,propensity\n";

}  // namespace

TEST_CASE("csv logs group rows into rounds, slots by position", "[ope][logged]") {
  LogFile f(std::string(kHeader) + "r1,u1,a,1,1,0.5\nr2,u2,b,1,0,0.25\nr1,u1,c,2,0,0.2\n");
  const LoggedFeedback logs = ReadLoggedFeedback(f.spec);
  REQUIRE(logs.num_rounds == 2);
  CHECK(logs.slate_size == 2);
  CHECK(logs.action_ids == std::vector<std::string>{"a", "b", "c"});
  CHECK(logs.user_ids == std::vector<std::string>{"u1", "u2"});
  CHECK(logs.item == std::vector<uint32_t>{0, 2, 1, kNoAction});
  CHECK(logs.reward == std::vector<double>{1, 0, 0, 0});
  CHECK(logs.propensity == std::vector<double>{0.5, 0.2, 0.25, 0});
  CHECK_FALSE(logs.has_prefix_propensity());
  CHECK(logs.round_line == std::vector<uint64_t>{2, 3});
}

TEST_CASE("bad logged rows are errors at file:line:column", "[ope][logged]") {
  using Catch::Contains;
  SECTION("a propensity of 0") {
    LogFile f(std::string(kHeader) + "r1,u1,a,1,1,0\n");
    CHECK_THROWS_WITH(
        ReadLoggedFeedback(f.spec),
        Contains(f.Path() + ":2:13") && Contains("expected a probability in (0, 1], found '0'"));
  }
  SECTION("a propensity above 1") {
    LogFile f(std::string(kHeader) + "r1,u1,a,1,1,1.5\n");
    CHECK_THROWS_WITH(ReadLoggedFeedback(f.spec), Contains(":2:13") && Contains("found '1.5'"));
  }
  SECTION("a NaN reward") {
    LogFile f(std::string(kHeader) + "r1,u1,a,1,1,0.5\nr2,u1,a,1,nan,0.5\n");
    CHECK_THROWS_WITH(
        ReadLoggedFeedback(f.spec),
        Contains(f.Path() + ":3:11") && Contains("reward: expected a finite number, found 'nan'"));
  }
  SECTION("two rows at one position of a round") {
    LogFile f(std::string(kHeader) + "r1,u1,a,1,1,0.5\nr1,u1,b,1,0,0.5\n");
    CHECK_THROWS_WITH(ReadLoggedFeedback(f.spec), Contains(f.Path() + ":3") &&
                                                      Contains("round r1 has two rows at position 1") &&
                                                      Contains("the first at line 2"));
  }
  SECTION("a position beyond the slate") {
    LogFile f(std::string(kHeader) + "r1,u1,a,4,1,0.5\n");
    f.spec.slate_size = 3;
    CHECK_THROWS_WITH(ReadLoggedFeedback(f.spec),
                      Contains(":2:9") && Contains("position 4 is beyond the slate size"));
  }
  SECTION("a missing column") {
    LogFile f("round,user,item,position,reward\nr1,u1,a,1,1\n");
    CHECK_THROWS_WITH(ReadLoggedFeedback(f.spec), Contains(f.Path() + ":1") &&
                                                      Contains("missing column 'propensity'") &&
                                                      Contains("the header has: round, user, item"));
  }
  SECTION("a round with rows of two users") {
    LogFile f(std::string(kHeader) + "r1,u1,a,1,1,0.5\nr1,u2,b,2,0,0.5\n");
    CHECK_THROWS_WITH(ReadLoggedFeedback(f.spec), Contains(":3") && Contains("rows of two users"));
  }
}

TEST_CASE("prefix propensities that no slate model allows are findings", "[ope][logged]") {
  LogFile f(
      "round,user,item,position,reward,propensity,prefix\n"
      "r1,u1,a,1,1,0.5,0.5\nr1,u1,b,2,0,0.5,0.1\n"     // fine: falls along the slate
      "r2,u1,a,1,1,0.5,0.4\nr2,u1,b,2,0,0.5,0.45\n");  // grows: a finding
  f.spec.prefix_propensity_column = "prefix";
  const LoggedFeedback logs = ReadLoggedFeedback(f.spec);
  REQUIRE(logs.has_prefix_propensity());
  CHECK(logs.prefix_propensity[1] == 0.1);
  REQUIRE(logs.findings_count == 1);
  CHECK_THAT(logs.findings[0], Catch::Contains(f.Path() + ":4: round r2") && Catch::Contains("position 2"));
}

TEST_CASE("the Open Bandit Dataset layout is read as is", "[ope][logged]") {
  LoggedSpec spec;
  spec.present = true;
  spec.format = "open-bandit";
  spec.file = fs::path(RECLIFT_TEST_DATA_DIR) / "open_bandit" / "all.csv";
  spec.items = fs::path(RECLIFT_TEST_DATA_DIR) / "open_bandit" / "item_context.csv";
  const LoggedFeedback logs = ReadLoggedFeedback(spec);
  CHECK(logs.num_rounds == 4);  // every row its own round, as OBP reads it
  CHECK(logs.slate_size == 3);
  CHECK(logs.action_ids == std::vector<std::string>{"0", "1", "2", "3"});  // item_context first
  CHECK(logs.user_ids.size() == 2);
  CHECK_THAT(logs.user_ids[0], Catch::StartsWith("81ce123cbb5bd8ce818f60fb3586bba5|03a5"));
  // row 1: item 0 at position 2, clicked
  CHECK(logs.item[1 * 3 + 1] == 0);
  CHECK(logs.reward[1 * 3 + 1] == 1.0);
  CHECK(logs.propensity[1 * 3 + 1] == 0.0125);
  CHECK_FALSE(logs.shown(1 * 3 + 0));
}

TEST_CASE("simulated logs written by reclift synth read back the same, truth included", "[ope][logged]") {
  reclift::host::SynthOptions so;
  so.preset = "tiny";
  const Dataset data = GenerateSynthetic(so);
  LoggedSimOptions o;
  o.rounds = 300;
  o.slate_size = 2;
  o.actions = 6;
  const LoggedFeedback logs = SimulateLoggedFeedback(data, o);
  const fs::path dir = fs::temp_directory_path() / "reclift-ope-roundtrip";
  fs::create_directories(dir);
  WriteLoggedFeedback(logs, dir);
  LoggedSpec spec;
  spec.present = true;
  spec.file = dir / "logged.csv";
  spec.truth = dir / "truth.csv";
  spec.prefix_propensity_column = "prefix_propensity";
  const LoggedFeedback back = ReadLoggedFeedback(spec);
  CHECK(back.num_rounds == logs.num_rounds);
  CHECK(back.slate_size == 2);
  CHECK(back.reward == logs.reward);
  CHECK(back.propensity == logs.propensity);
  CHECK(back.prefix_propensity == logs.prefix_propensity);
  REQUIRE(back.has_truth());
  // the action order may differ (first appearance): compare through the ids
  for (size_t slot = 0; slot < logs.item.size(); ++slot) {
    CHECK(back.action_ids[back.item[slot]] == logs.action_ids[logs.item[slot]]);
  }
  CHECK(back.findings_count == 0);
  fs::remove_all(dir);
}
