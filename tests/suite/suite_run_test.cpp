// End to end: `reclift suite` over three tiny synthetic datasets, its
// cross-dataset report, a failing member, --only, --resume and validate.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>

#include "e2e/cli_support.h"
#include "suite/cross_stats.h"

using namespace reclift::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

std::string SuiteToml(const fs::path& out, const std::string& extra_suite_keys = "") {
  return R"([suite]
name = "e2e-suite"
primary_metric = "ndcg@10"
output = ")" +
         out.string() + "\"\n" + extra_suite_keys + R"(
[experiment]
seed = 7

[split]
method = "random"
test_fraction = 0.25

[[datasets]]
name = "tiny1"
dataset = { format = "synthetic", preset = "tiny", seed = 1 }

[[datasets]]
name = "tiny2"
dataset = { format = "synthetic", preset = "tiny", seed = 2 }

[[datasets]]
name = "tiny3"
dataset = { format = "synthetic", preset = "tiny", seed = 3 }
split = { test_fraction = 0.3 }

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "knn"
recommender = "item_knn"

[[arms]]
name = "rnd"
recommender = "random"

[evaluation]
k = [10]
metrics = ["ndcg", "recall"]

[ab]
control = "pop"
primary_metric = "ndcg@10"
)";
}

// Runs `reclift suite` and returns its suite.json.
Json RunSuite(const fs::path& file, const std::string& flags, int expect_exit,
              fs::path* suite_dir = nullptr) {
  auto r = RunCommand(Reclift() + " suite " + file.string() + " -q " + flags);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == expect_exit);
  const size_t at = r.out.find("suite report: ");
  REQUIRE(at != std::string::npos);
  const fs::path md = r.out.substr(at + 14, r.out.find('\n', at) - at - 14);
  if (suite_dir != nullptr) *suite_dir = md.parent_path();
  REQUIRE(fs::exists(md.parent_path() / "suite.json"));
  return Json::parse(ReadText(md.parent_path() / "suite.json"));
}

}  // namespace

TEST_CASE("a suite over three datasets renders the cross-dataset report", "[e2e][suite]") {
  const fs::path dir = FreshDir("suite-run");
  WriteText(dir / "suite.toml", SuiteToml(dir / "out"));
  fs::path suite_dir;
  const Json s = RunSuite(dir / "suite.toml", "--db " + (dir / "h.db").string(), 0, &suite_dir);

  REQUIRE(s["members"].size() == 3);
  for (const Json& m : s["members"]) {
    CHECK(m["status"] == "ok");
    CHECK(fs::exists(suite_dir / m["name"].get<std::string>() / "results.json"));
  }
  CHECK(s["arms"] == Json({"pop", "knn", "rnd"}));
  CHECK(s["table"].size() == 9);
  const Json& st = s["statistics"];
  REQUIRE(st["omnibus_meaningful"] == true);

  // the ranks are those of the per-dataset means, and the statistics follow from them
  std::vector<double> mean_ranks(3, 0.0);
  for (const std::string d : {"tiny1", "tiny2", "tiny3"}) {
    std::vector<double> row;
    for (const std::string a : {"pop", "knn", "rnd"}) {
      for (const Json& c : s["table"]) {
        if (c["dataset"] == d && c["arm"] == a) row.push_back(c["mean"].get<double>());
      }
    }
    REQUIRE(row.size() == 3);
    const auto ranks = reclift::host::suite::RankRow(row, true);
    for (size_t j = 0; j < 3; ++j) {
      CHECK(st["ranks"][d][s["arms"][j].get<std::string>()].get<double>() == ranks[j]);
      mean_ranks[j] += ranks[j] / 3;
    }
  }
  double sum_sq = 0;
  for (size_t j = 0; j < 3; ++j) {
    CHECK(st["mean_ranks"][s["arms"][j].get<std::string>()].get<double>() == Approx(mean_ranks[j]));
    sum_sq += mean_ranks[j] * mean_ranks[j];
  }
  CHECK(st["friedman"]["chi2"].get<double>() == Approx(12.0 * 3 / (3 * 4) * (sum_sq - 3 * 16 / 4.0)));
  CHECK(st["nemenyi"]["critical_difference"].get<double>() == Approx(2.343 * std::sqrt(3 * 4 / (6.0 * 3))));
  CHECK(st["wilcoxon_holm"].size() == 3);
  // item_knn beats popularity on these users, random loses: each verdict is a win or a loss
  CHECK(st["win_tie_loss"]["knn"]["win"] == 3);
  CHECK(st["win_tie_loss"]["rnd"]["loss"] == 3);

  const std::string html = ReadText(suite_dir / "suite.html");
  CHECK_THAT(html, Contains("<svg") && Contains("class=\"cd-diagram\"") && Contains("CD = 1.913") &&
                       Contains("Iman") && Contains("knn (1.00)"));
  const std::string md = ReadText(suite_dir / "suite.md");
  CHECK_THAT(md, Contains("## Ranks") && Contains("Friedman chi") && Contains("| knn | 3 | 0 | 0 |"));
  const std::string csv = ReadText(suite_dir / "suite.csv");
  CHECK(std::count(csv.begin(), csv.end(), '\n') == 10);
  CHECK(fs::exists(suite_dir / "cd.svg"));

  // the history holds the three member runs and the suite
  auto h = RunCommand(Reclift() + " history --kind all --format json --db " + (dir / "h.db").string());
  REQUIRE(h.exit_code == 0);
  const Json hist = Json::parse(h.out);
  CHECK(hist["runs"].size() == 4);
  CHECK(std::count_if(hist["runs"].begin(), hist["runs"].end(),
                      [](const Json& r) { return r["kind"] == "suite"; }) == 1);

  SECTION("--resume reuses complete members and reruns the rest") {
    const fs::path kept = suite_dir / "tiny1" / "results.json";
    const auto kept_time = fs::last_write_time(kept);
    fs::remove(suite_dir / "tiny2" / "results.json");  // as if the run was killed during tiny2
    const Json again = RunSuite(dir / "suite.toml", "--db none --resume " + suite_dir.string(), 0);
    CHECK(again["members"][0]["status"] == "reused");
    CHECK(again["members"][1]["status"] == "ok");
    CHECK(again["members"][2]["status"] == "reused");
    CHECK(fs::last_write_time(kept) == kept_time);
    CHECK(fs::exists(suite_dir / "tiny2" / "results.json"));
    CHECK(again["statistics"]["mean_ranks"] == st["mean_ranks"]);
  }
  SECTION("--resume reruns a member whose configuration changed") {
    const Json again =
        RunSuite(dir / "suite.toml", "--db none --set experiment.seed=8 --resume " + suite_dir.string(), 0);
    for (const Json& m : again["members"]) CHECK(m["status"] == "ok");
  }
}

TEST_CASE("a failing member is reported and the others complete", "[e2e][suite]") {
  const fs::path dir = FreshDir("suite-fail");
  WriteText(dir / "allfail.toml", R"([experiment]
name = "allfail"
[dataset]
format = "synthetic"
preset = "tiny"
[[arms]]
name = "f1"
recommender = "faulty"
params = { mode = "fit-error" }
[[arms]]
name = "f2"
recommender = "faulty"
params = { mode = "fit-throws" }
)");
  WriteText(dir / "suite.toml",
            SuiteToml(dir / "out", "experiments = [\"missing.toml\", \"allfail.toml\"]\n"));
  const Json s =
      RunSuite(dir / "suite.toml", "--db none -p " + std::string(RECLIFT_TEST_PLUGIN_DIR) + "/good", 3);
  REQUIRE(s["members"].size() == 5);
  CHECK(s["members"][0]["status"] == "failed");
  CHECK_THAT(s["members"][0]["error"].get<std::string>(), Contains("missing.toml") && Contains("not found"));
  CHECK(s["members"][0]["run_dir"] == "");
  CHECK(s["members"][1]["name"] == "allfail");
  CHECK(s["members"][1]["status"] == "failed");
  CHECK_THAT(s["members"][1]["error"].get<std::string>(), Contains("every arm failed"));
  CHECK(s["members"][1]["failed_arms"] == 2);
  for (size_t i = 2; i < 5; ++i) CHECK(s["members"][i]["status"] == "ok");
  CHECK(s["statistics"]["omnibus_meaningful"] == true);
  CHECK(s["datasets"].size() == 3);
  CHECK(s["arms"] == Json({"pop", "knn", "rnd"}));
  const fs::path suite_dir = s["suite"]["suite_dir"].get<std::string>();
  CHECK_THAT(ReadText(suite_dir / "suite.md"), Contains("failed: ") && Contains("every arm failed"));
}

TEST_CASE("filters of --only select datasets and arms, and fewer than 3 datasets have no omnibus test",
          "[e2e][suite]") {
  const fs::path dir = FreshDir("suite-only");
  WriteText(dir / "suite.toml", SuiteToml(dir / "out"));
  const Json s = RunSuite(dir / "suite.toml", "--db none --only tiny1/knn --only tiny2/knn", 0);
  REQUIRE(s["members"].size() == 2);
  CHECK(s["arms"] == Json({"pop", "knn"}));  // the control stays
  CHECK(s["statistics"]["omnibus_meaningful"] == false);
  CHECK_THAT(s["statistics"]["omnibus_note"].get<std::string>(), Contains("not meaningful"));
  CHECK(s["statistics"]["friedman"]["chi2"].is_null());
  const fs::path suite_dir = s["suite"]["suite_dir"].get<std::string>();
  CHECK_THAT(ReadText(suite_dir / "suite.md"),
             Contains("omnibus test not meaningful with 2 complete datasets"));

  auto bad = RunCommand(Reclift() + " suite " + (dir / "suite.toml").string() + " -q --db none --only nope");
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Contains("--only nope selects no member"));
}

TEST_CASE("reclift validate checks a whole suite before any data is read", "[e2e][suite]") {
  const fs::path dir = FreshDir("suite-validate");
  std::string toml = SuiteToml(dir / "out");
  WriteText(dir / "suite.toml", toml);
  auto ok = RunCommand(Reclift() + " validate " + (dir / "suite.toml").string());
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  CHECK_THAT(ok.out, Contains("tiny3: ok (3 arms") && Contains("ok (suite e2e-suite, 3 members)"));
  CHECK_FALSE(fs::exists(dir / "out"));

  auto run = RunCommand(Reclift() + " run " + (dir / "suite.toml").string());
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.err, Contains("a suite file") && Contains("reclift suite"));

  toml.replace(toml.find("\"item_knn\""), 10, "\"item_knm\"");
  WriteText(dir / "bad.toml", toml);
  auto bad = RunCommand(Reclift() + " validate " + (dir / "bad.toml").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Contains("bad.toml:32:15: unknown recommender 'item_knm' (did you mean 'item_knn'?)") &&
                          Contains("3 of 3 suite members have errors"));
}

TEST_CASE("a suite killed with SIGKILL resumes to the same statistics", "[e2e][suite]") {
  const fs::path dir = FreshDir("suite-kill");
  // the third dataset is the bundled sample's size, so the kill lands while it runs
  std::string toml = SuiteToml(dir / "out");
  toml.replace(toml.find("preset = \"tiny\", seed = 3"), 25, "preset = \"sample\", seed = 3");
  WriteText(dir / "suite.toml", toml);
  const std::string run = Reclift() + " suite " + (dir / "suite.toml").string() + " -q --db none -t 1";
  // wait for the first member's results.json, then kill the whole run
  auto killed = RunCommand(run + " & pid=$!; for i in $(seq 1 3000); do ls " + (dir / "out").string() +
                           "/*/tiny1/results.json >/dev/null 2>&1 && break; sleep 0.01; done; kill -9 $pid; "
                           "wait $pid; echo status=$?");
  INFO(killed.out << killed.err);
  const fs::path root = dir / "out";
  REQUIRE(fs::is_directory(root));
  const fs::path suite_dir = fs::directory_iterator(root)->path();
  CHECK(killed.out.find("status=137") != std::string::npos);  // 128 + SIGKILL: it died mid-run
  CHECK_FALSE(fs::exists(suite_dir / "suite.json"));

  const Json resumed = RunSuite(dir / "suite.toml", "--db none -t 1 --resume " + suite_dir.string(), 0);
  CHECK(resumed["members"][0]["status"] == "reused");
  for (const Json& m : resumed["members"]) CHECK(m["status"] != "failed");

  const Json fresh = RunSuite(dir / "suite.toml", "--db none -t 1", 0);
  CHECK(resumed["statistics"]["mean_ranks"] == fresh["statistics"]["mean_ranks"]);
  CHECK(resumed["table"] == fresh["table"]);

  // every suite report renders again from suite.json alone
  const fs::path again = dir / "again";
  auto r = RunCommand(Reclift() + " report " + (suite_dir / "suite.json").string() + " -f md,html,csv -o " +
                      again.string());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(ReadText(again / "suite.md") == ReadText(suite_dir / "suite.md"));
  CHECK(fs::exists(again / "cd.svg"));
}
