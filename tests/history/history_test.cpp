// The SQLite history: indexing, queries, run ids, a corrupt database, and
// one plugin followed across two versions built one after the other.
#include "history/history.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "e2e/cli_support.h"
#include "util/error.h"

using namespace reclift::host;
using namespace reclift::testing;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace {

Json Results(const std::string& run_dir, const std::string& started, double pop_ndcg,
             const std::string& version) {
  return Json::parse(R"({
  "schema_version": 1,
  "experiment": {"name": "exp", "file": "", "started_at": ")" +
                     started + R"(", "run_dir": ")" + run_dir + R"(", "seconds": 1.5, "seed": 1},
  "dataset": {"name": "d", "fingerprint": "abc"},
  "split": {"method": "random"},
  "ab": {"primary_metric": "ndcg@10", "control": "pop"},
  "arms": [
    {"name": "pop", "recommender": "popularity", "plugin": "popularity@)" +
                     version + R"(", "status": "ok", "params": {"k": 1},
     "fit_seconds": 0.5, "eval_seconds": 0.25, "peak_rss_bytes": 1000,
     "metrics": {"ndcg@10": {"mean": )" +
                     std::to_string(pop_ndcg) + R"(, "ci_low": 0.1, "ci_high": 0.3, "n": 50}}},
    {"name": "bad", "recommender": "faulty", "plugin": "", "status": "failed", "error": "boom", "metrics": {}}
  ]})");
}

}  // namespace

TEST_CASE("runs are indexed and queried back with their arms and metrics", "[history]") {
  const fs::path dir = FreshDir("history-unit");
  const fs::path db = dir / "sub" / "h.db";
  const Json r1 = Results("/runs/1", "2026-01-01T00:00:00Z", 0.2, "1.0.0");
  const Json r2 = Results("/runs/2", "2026-01-02T00:00:00Z", 0.25, "1.1.0");
  REQUIRE(history::IndexRun(db, r1, dir / "1.json"));
  REQUIRE(history::IndexRun(db, r2, dir / "2.json"));
  REQUIRE(history::IndexRun(db, r2, dir / "2.json"));  // indexing again replaces, not duplicates
  CHECK(history::RunId(r1) == history::RunId(Results("/runs/1", "2026-01-01T00:00:00Z", 0.9, "9")));
  CHECK(history::RunId(r1) != history::RunId(r2));
  CHECK(history::RunId(r1).size() == 12);

  history::HistoryQuery q;
  q.arm = "pop";
  const Json h = history::QueryHistory(db, q);
  REQUIRE(h["runs"].size() == 2);
  CHECK(h["runs"][0]["run_id"] == history::RunId(r2));  // newest first
  CHECK(h["runs"][0]["status"] == "partial");
  CHECK(h["runs"][0]["failures"][0]["error"] == "boom");
  CHECK(h["runs"][0]["dataset_fingerprint"] == "abc");
  REQUIRE(h["series"].size() == 1);
  const Json& points = h["series"][0]["points"];
  REQUIRE(points.size() == 2);  // oldest first
  CHECK(points[0]["version"] == "1.0.0");
  CHECK(points[1]["version"] == "1.1.0");
  CHECK(points[1]["mean"].get<double>() == Approx(0.25));
  CHECK(points[1]["ci_high"].get<double>() == Approx(0.3));

  q.experiment = "other";
  CHECK(history::QueryHistory(db, q)["runs"].empty());

  // the same arm name in another experiment is another line, not a jump in this one
  Json r3 = Results("/runs/3", "2026-01-03T00:00:00Z", 0.5, "1.1.0");
  r3["experiment"]["name"] = "other";
  REQUIRE(history::IndexRun(db, r3, dir / "3.json"));
  const Json split = history::QueryHistory(db, history::HistoryQuery{"", "pop", "", "run", 200});
  REQUIRE(split["series"].size() == 2);
  CHECK(split["series"][0]["experiment"] == "exp");
  CHECK(split["series"][0]["points"].size() == 2);
  CHECK(split["series"][1]["experiment"] == "other");
  CHECK(history::QueryHistory(db, q)["runs"].size() == 1);

  CHECK(history::ResolveRunId(db, history::RunId(r1).substr(0, 6)) == fs::absolute(dir / "1.json"));
  CHECK_THROWS_WITH(history::ResolveRunId(db, "zzzzzz"), Contains("no run with id 'zzzzzz'"));
  CHECK_THROWS_WITH(history::ResolveRunId(db, "ab"), Contains("at least 4 characters"));

  const std::string svg = history::HistoryChartSvg(h["series"][0]);
  CHECK_THAT(svg, Contains("version 1.0.0") && Contains("version 1.1.0") && Contains("history-point"));
}

TEST_CASE("a corrupt database never fails indexing and is rebuilt from the run folders", "[history]") {
  const fs::path dir = FreshDir("history-corrupt");
  const fs::path db = dir / "h.db";
  WriteText(db, std::string(4096, 'x'));
  const Json r = Results((dir / "runs" / "a").string(), "2026-01-01T00:00:00Z", 0.2, "1.0.0");
  CHECK_FALSE(history::IndexRun(db, r, dir / "runs" / "a" / "results.json"));  // a warning, no exception
  CHECK_THROWS_WITH(history::QueryHistory(db, {}), Contains(db.string()));

  WriteText(dir / "runs" / "a" / "results.json", r.dump());
  WriteText(dir / "runs" / "b" / "results.json", "{ not json");
  CHECK(history::RebuildHistory(db, {dir / "runs"}) == 1);
  const Json h = history::QueryHistory(db, {});
  REQUIRE(h["runs"].size() == 1);
  CHECK(h["runs"][0]["run_id"] == history::RunId(r));

  WriteText(dir / "file.txt", "a file, not a folder");
  CHECK_FALSE(history::IndexRun(dir / "file.txt" / "h.db", r, "x"));  // cannot be created: a warning
  CHECK_THROWS_WITH(history::QueryHistory(dir / "missing.db", {}),
                    Contains("not found") && Contains("--rebuild"));
}

TEST_CASE("a locked database is a warning, and the next run indexes again", "[history]") {
  const fs::path dir = FreshDir("history-locked");
  const fs::path db = dir / "h.db";
  const Json r1 = Results("/runs/1", "2026-01-01T00:00:00Z", 0.2, "1.0.0");
  const Json r2 = Results("/runs/2", "2026-01-02T00:00:00Z", 0.2, "1.0.0");
  REQUIRE(history::IndexRun(db, r1, "1.json"));
  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(db.string().c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) ==
          SQLITE_OK);  // holds the write lock
  ::setenv("RECLIFT_DB_TIMEOUT_MS", "100", 1);
  CHECK_FALSE(history::IndexRun(db, r2, "2.json"));
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  CHECK(history::IndexRun(db, r2, "2.json"));
  ::unsetenv("RECLIFT_DB_TIMEOUT_MS");
  CHECK(history::QueryHistory(db, {})["runs"].size() == 2);
}

TEST_CASE("runs finishing at the same time all reach the history", "[e2e][history]") {
  const fs::path dir = FreshDir("history-concurrent");
  const fs::path db = dir / "h.db";
  std::string line;
  for (int i = 0; i < 4; ++i) {
    const fs::path exp = dir / ("e" + std::to_string(i) + ".toml");
    WriteText(exp, "[experiment]\nname = \"c" + std::to_string(i) + "\"\noutput = \"" +
                       (dir / "out").string() +
                       "\"\n[dataset]\nformat = \"synthetic\"\npreset = \"tiny\"\n[[arms]]\nname = \"pop\"\n"
                       "recommender = \"popularity\"\n");
    line += Reclift() + " run " + exp.string() + " -q -t 1 --db " + db.string() + " & ";
  }
  auto r = RunCommand(line + "wait");
  INFO(r.err);
  CHECK(r.err.find("not indexed") == std::string::npos);
  auto h = RunCommand(Reclift() + " history --format json --db " + db.string());
  REQUIRE(h.exit_code == 0);
  CHECK(Json::parse(h.out)["runs"].size() == 4);
}

TEST_CASE("reclift history follows a plugin across two versions built one after the other",
          "[e2e][history]") {
  const fs::path dir = FreshDir("history-versions");
  const fs::path db = dir / "h.db";
  WriteText(dir / "exp.toml", R"([experiment]
name = "versions"
seed = 7
output = ")" + (dir / "out").string() +
                                  R"("

[dataset]
format = "synthetic"
preset = "tiny"

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "ver"
recommender = "versioned"

[evaluation]
k = [10]
metrics = ["ndcg"]
)");
  const std::string plugins = std::string(RECLIFT_TEST_PLUGIN_DIR);
  for (const char* v : {"v1", "v2"}) {
    auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " -q --db " + db.string() +
                        " -p " + plugins + "/" + v);
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
  }
  auto t = RunCommand(Reclift() + " history --db " + db.string() + " --experiment versions --arm ver");
  INFO(t.out << t.err);
  REQUIRE(t.exit_code == 0);
  CHECK_THAT(t.out, Contains("versioned@1.0.0") && Contains("versioned@2.0.0") && Contains("ndcg@10"));

  auto j =
      RunCommand(Reclift() + " history --db " + db.string() + " --arm ver --metric ndcg@10 --format json");
  REQUIRE(j.exit_code == 0);
  const Json h = Json::parse(j.out);
  REQUIRE(h["series"].size() == 1);
  const Json& points = h["series"][0]["points"];
  REQUIRE(points.size() == 2);
  CHECK(points[0]["version"] == "1.0.0");
  CHECK(points[1]["version"] == "2.0.0");
  CHECK(points[0]["mean"].get<double>() != points[1]["mean"].get<double>());

  const fs::path html = dir / "history.html";
  auto w =
      RunCommand(Reclift() + " history --db " + db.string() + " --arm ver --format html -o " + html.string());
  REQUIRE(w.exit_code == 0);
  CHECK_THAT(ReadText(html), Contains("class=\"history-chart\"") && Contains("version 1.0.0") &&
                                 Contains("version 2.0.0") && Contains("</html>"));

  // compare takes run ids from the history
  const std::string a = h["runs"][1]["run_id"], b = h["runs"][0]["run_id"];
  auto c = RunCommand(Reclift() + " compare " + a + " " + b.substr(0, 8) + " --db " + db.string());
  INFO(c.out << c.err);
  CHECK(c.exit_code == 0);
  CHECK_THAT(c.out, Contains("ver"));
  auto all = RunCommand(Reclift() + " history --db " + db.string() + " --kind comparison --format json");
  CHECK(Json::parse(all.out)["runs"].size() == 1);
}

TEST_CASE("a run survives a corrupt history database and --rebuild restores it", "[e2e][history]") {
  const fs::path dir = FreshDir("history-corrupt-run");
  const fs::path db = dir / "h.db";
  WriteText(db, "this is not a SQLite database, it is a text file long enough to have a header...........");
  WriteText(dir / "exp.toml", R"([experiment]
name = "survive"
output = ")" + (dir / "out").string() +
                                  R"("
[dataset]
format = "synthetic"
preset = "tiny"
[[arms]]
name = "pop"
recommender = "popularity"
)");
  auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " --db " + db.string());
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.err, Contains("not indexed in the history") && Contains("--rebuild"));

  auto rebuild =
      RunCommand(Reclift() + " history --rebuild --root " + (dir / "out").string() + " --db " + db.string());
  INFO(rebuild.out << rebuild.err);
  CHECK(rebuild.exit_code == 0);
  CHECK_THAT(rebuild.out, Contains("from 1 runs"));
  auto h = RunCommand(Reclift() + " history --db " + db.string());
  CHECK(h.exit_code == 0);
  CHECK_THAT(h.out, Contains("survive"));
}

TEST_CASE("a run that stops before its results is in the history as failed", "[e2e][history]") {
  const fs::path dir = FreshDir("history-failed-run");
  const fs::path db = dir / "h.db";
  WriteText(dir / "exp.toml", R"([experiment]
name = "broken"
output = ")" + (dir / "out").string() +
                                  R"("
[dataset]
format = "csv"
interactions = ")" + std::string(RECLIFT_TEST_DATA_DIR) +
                                  R"(/bad_number.csv"
[[arms]]
name = "pop"
recommender = "popularity"
)");
  auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " -q --db " + db.string());
  CHECK(r.exit_code == 1);
  auto h = RunCommand(Reclift() + " history --format json --db " + db.string());
  REQUIRE(h.exit_code == 0);
  const Json runs = Json::parse(h.out)["runs"];
  REQUIRE(runs.size() == 1);
  CHECK(runs[0]["name"] == "broken");
  CHECK(runs[0]["status"] == "failed");
  const std::string error = runs[0]["failures"][0]["error"];
  CHECK_FALSE(error.empty());
  CHECK_THAT(r.err, Contains(error));  // the message the user saw
}
