// End-to-end: the execution engine. Cells in worker processes that crash,
// abort, hang or run out of memory fail only their arm; finished cells are
// stored at once and reused on --resume, also after SIGKILL; parallel
// cells and in-process execution give the same results.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "e2e/cli_support.h"

using namespace reclift::testing;
namespace fs = std::filesystem;

namespace {

std::string Experiment(const fs::path& out, const std::string& experiment_extra,
                       const std::string& arms_extra,
                       const std::string& split = "method = \"random\"\ntest_fraction = 0.25\n") {
  return "[experiment]\nname = \"engine\"\nseed = 7\noutput = \"" + out.string() + "\"\n" + experiment_extra +
         R"(
[dataset]
format = "synthetic"
preset = "tiny"
positive_threshold = 4.0

[split]
)" + split +
         R"(
[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "knn"
recommender = "item_knn"
)" + arms_extra +
         R"(
[evaluation]
k = [5, 10]
metrics = ["precision", "recall", "ndcg"]

[[profilers]]
plugin = "activity"

[report]
formats = ["md", "html", "json"]

[ab]
control = "pop"
primary_metric = "ndcg@10"
)";
}

std::string PluginFlag() {
  return std::string(" --plugin-path ") + RECLIFT_TEST_PLUGIN_DIR + "/good";
}

CommandResult Run(const fs::path& toml, const std::string& flags) {
  return RunCommand(Reclift() + " run " + toml.string() + " --quiet" + PluginFlag() + " " + flags);
}

nlohmann::json Latest(const fs::path& out) {
  return nlohmann::json::parse(ReadText(out / "latest" / "results.json"));
}

}  // namespace

TEST_CASE("a cell that crashes, aborts, hangs or runs out of memory fails only its own arm",
          "[e2e][engine]") {
  const std::string mode = GENERATE(as<std::string>{}, "fit-segv", "fit-abort", "fit-hang", "fit-hog");
  const fs::path dir = FreshDir("engine-" + mode);
  const std::string arm =
      "\n[[arms]]\nname = \"broken\"\nrecommender = \"faulty\"\nparams = { mode = \"" + mode + "\" }\n";
  WriteText(dir / "exp.toml", Experiment(dir / "out", "cell_timeout = 3\ncell_memory_mb = 512\n", arm));
  const auto r = Run(dir / "exp.toml", "");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 3);
  const auto results = Latest(dir / "out");
  REQUIRE(results["arms"].size() == 3);
  CHECK(results["arms"][0]["status"] == "ok");
  CHECK(results["arms"][1]["status"] == "ok");
  CHECK(results["arms"][0]["metrics"]["ndcg@10"]["mean"].get<double>() > 0);
  const auto& broken = results["arms"][2];
  CHECK(broken["status"] == "failed");
  const std::string error = broken["error"];
  INFO(error);
  CHECK(error.find("in Fit of plugin faulty@1.0.0") != std::string::npos);
  if (mode == "fit-segv") {
    CHECK(error.find("SIGSEGV") == 0);
    CHECK(broken["failure"]["kind"] == "crash");
    CHECK(broken["failure"]["trace"].get<std::string>().find("fatal signal 11") != std::string::npos);
    // the plugin's last log line comes with the failure
    bool logged = false;
    for (const auto& line : broken["failure"]["last_lines"])
      logged = logged || line.get<std::string>().find("about to dereference") != std::string::npos;
    CHECK(logged);
  }
  if (mode == "fit-abort") CHECK(error.find("SIGABRT") == 0);
  if (mode == "fit-hang") {
    CHECK(broken["failure"]["kind"] == "timeout");
    CHECK(error.find("timed out after 3 s (cell_timeout)") == 0);
  }
  if (mode == "fit-hog") {
    CHECK(broken["failure"]["kind"] == "memory");
    CHECK(error.find("exceeded cell_memory_mb = 512") == 0);
  }
  // the treatment that works is still compared with the control
  bool compared = false;
  for (const auto& c : results["ab"]["comparisons"]) {
    CHECK(c["treatment"] != "broken");
    compared = compared || c["treatment"] == "knn";
  }
  CHECK(compared);
  // and the reason is in the reports
  const std::string md = ReadText(dir / "out" / "latest" / "summary.md");
  const std::string html = ReadText(dir / "out" / "latest" / "report.html");
  const std::string first_words = error.substr(0, 12);  // Markdown escapes the '_' of cell_timeout
  CHECK(md.find(first_words) != std::string::npos);
  CHECK(html.find(first_words) != std::string::npos);
}

TEST_CASE("isolated, in-process and parallel cells give the same results", "[e2e][engine]") {
  const fs::path dir = FreshDir("engine-same");
  WriteText(dir / "exp.toml", Experiment(dir / "out", "split_repeats = 2\n", ""));
  REQUIRE(Run(dir / "exp.toml", "--isolation none").exit_code == 0);
  const auto none = Latest(dir / "out");
  REQUIRE(Run(dir / "exp.toml", "--isolation process --parallel-cells 2").exit_code == 0);
  const auto process = Latest(dir / "out");
  CHECK(none["experiment"]["engine"]["isolation"] == "none");
  CHECK(process["experiment"]["engine"]["isolation"] == "process");
  CHECK(WithoutRunFacts(none)["arms"] == WithoutRunFacts(process)["arms"]);
  CHECK(none["per_user"] == process["per_user"]);
  CHECK(none["ab"]["comparisons"] == process["ab"]["comparisons"]);
  CHECK(WithoutRunFacts(none)["cells"] == WithoutRunFacts(process)["cells"]);
}

TEST_CASE("every repetition has its own per-user analysis and the repeats use all of them", "[e2e][engine]") {
  const fs::path dir = FreshDir("engine-repeats");
  WriteText(dir / "exp.toml",
            Experiment(dir / "out", "seed_repeats = 2\n", "", "method = \"kfold\"\nfolds = 3\n"));
  REQUIRE(Run(dir / "exp.toml", "").exit_code == 0);
  const auto results = Latest(dir / "out");
  REQUIRE(results["cells"].size() == 6);  // 3 folds x 2 seeds
  std::set<int> folds;
  for (const auto& c : results["cells"]) {
    folds.insert(c["fold"].get<int>());
    REQUIRE(c["arms"].size() == 2);
    CHECK(c["arms"][1]["status"] == "ok");
    CHECK(!c["comparisons"].empty());  // a paired test of its own
    CHECK(c["arms"][1]["segments"].contains("activity"));
  }
  CHECK(folds.size() == 3);
  // the repeats section is made of the cells' own means
  const auto& values = results["repeats"]["arms"]["knn"]["ndcg@10"]["values"];
  REQUIRE(values.size() == 6);
  for (size_t c = 0; c < 6; ++c) {
    CHECK(values[c].get<double>() ==
          Approx(results["cells"][c]["arms"][1]["metrics"]["ndcg@10"]["mean"].get<double>()));
  }
  CHECK(results["cells"][0]["arms"] == results["arms"]);
}

TEST_CASE("a run killed with SIGKILL after k cells resumes to the results of an uninterrupted run",
          "[e2e][engine]") {
  const fs::path base = FreshDir("engine-kill");
  // a slow arm (it sleeps, then fits) keeps the run going long enough to be killed
  const std::string arms =
      "\n[[arms]]\nname = \"slow\"\nrecommender = \"faulty\"\nparams = { mode = \"fit-slow\" }\n";
  const std::string toml = Experiment(base / "ref", "split_repeats = 2\n", arms);
  WriteText(base / "ref.toml", toml);
  REQUIRE(Run(base / "ref.toml", "").exit_code == 0);
  const auto reference = WithoutRunFacts(Latest(base / "ref"));
  const size_t total = 6;  // 2 repetitions x 3 arms
  for (size_t k : {size_t{1}, size_t{3}, size_t{5}}) {
    const fs::path dir = base / ("k" + std::to_string(k));
    const fs::path out = dir / "out";
    std::string t = toml;
    t.replace(t.find((base / "ref").string()), (base / "ref").string().size(), out.string());
    WriteText(dir / "exp.toml", t);
    const pid_t pid = ::fork();
    if (pid == 0) {
      const std::string prog = Reclift(), file = (dir / "exp.toml").string(),
                        plugins = std::string(RECLIFT_TEST_PLUGIN_DIR) + "/good";
      std::freopen("/dev/null", "w", stderr);
      ::execl(prog.c_str(), prog.c_str(), "run", file.c_str(), "--quiet", "--plugin-path", plugins.c_str(),
              "--threads", "1", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // wait for k finished cells in the store, then kill the driver
    auto finished = [&] {
      size_t n = 0;
      std::error_code ec;
      // the run folder through `latest` only (the folder itself would count twice)
      for (const auto& f : fs::directory_iterator(out / "latest" / "cells", ec)) {
        n += f.path().extension() == ".cell";
      }
      return n;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (finished() < k && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    REQUIRE(WIFSIGNALED(status));
    REQUIRE(!fs::exists(out / "latest" / "results.json"));
    const auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + PluginFlag() + " --resume");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto resumed = Latest(out);
    CHECK(resumed["experiment"]["engine"]["cells_reused"].get<size_t>() >= k);
    CHECK(resumed["experiment"]["engine"]["cells_reused"].get<size_t>() < total);
    CHECK(WithoutRunFacts(resumed) == reference);
  }
}

TEST_CASE("resuming reuses cells whose key matches and recomputes those whose key changed", "[e2e][engine]") {
  const fs::path dir = FreshDir("engine-resume");
  WriteText(dir / "exp.toml", Experiment(dir / "out", "", ""));
  REQUIRE(Run(dir / "exp.toml", "").exit_code == 0);
  const auto first = Latest(dir / "out");
  auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + PluginFlag() + " --resume");
  REQUIRE(r.exit_code == 0);
  const auto again = Latest(dir / "out");
  CHECK(again["experiment"]["run_dir"] == first["experiment"]["run_dir"]);
  CHECK(again["experiment"]["engine"]["cells_reused"] == 2);
  CHECK(again["experiment"]["engine"]["cells_computed"] == 0);
  CHECK(WithoutRunFacts(again)["arms"] == WithoutRunFacts(first)["arms"]);
  // a changed parameter changes the key of that arm's cell only
  r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + PluginFlag() +
                 " --resume --set arms.knn.top_neighbours=7");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("recomputed, parameters changed") != std::string::npos);
  const auto changed = Latest(dir / "out");
  CHECK(changed["experiment"]["engine"]["cells_reused"] == 1);
  CHECK(changed["experiment"]["engine"]["cells_computed"] == 1);
}

TEST_CASE("two runs never share a run folder", "[e2e][engine]") {
  const fs::path dir = FreshDir("engine-lock");
  const std::string arm =
      "\n[[arms]]\nname = \"slow\"\nrecommender = \"faulty\"\nparams = { mode = \"fit-hang\" }\n";
  WriteText(dir / "exp.toml", Experiment(dir / "out", "cell_timeout = 4\n", arm));
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string prog = Reclift(), file = (dir / "exp.toml").string(),
                      plugins = std::string(RECLIFT_TEST_PLUGIN_DIR) + "/good";
    std::freopen("/dev/null", "w", stderr);
    std::freopen("/dev/null", "w", stdout);
    ::execl(prog.c_str(), prog.c_str(), "run", file.c_str(), "--quiet", "--plugin-path", plugins.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // wait for the first run's folder, then try to resume it while it runs
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(dir / "out" / "latest" / ".lock") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const auto r = Run(dir / "exp.toml", "--resume");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is in use by another run (pid " + std::to_string(pid)) != std::string::npos);
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WEXITSTATUS(status) == 3);
}

TEST_CASE("reclift validate reports an unknown metric with file:line:column before reading data",
          "[e2e][engine]") {
  const fs::path dir = FreshDir("engine-validate");
  std::string toml = Experiment(dir / "out", "", "");
  // data that is not data at all: validate must not read it
  WriteText(dir / "junk.csv", "\x01\x02 not a dataset\n");
  const std::string synthetic = "format = \"synthetic\"\npreset = \"tiny\"";
  toml.replace(toml.find(synthetic), synthetic.size(), "format = \"csv\"\ninteractions = \"junk.csv\"");
  toml.replace(toml.find("\"recall\""), 8, "\"recal\"");
  WriteText(dir / "exp.toml", toml);
  auto r = RunCommand(Reclift() + " validate " + (dir / "exp.toml").string());
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("exp.toml:") != std::string::npos);
  CHECK(r.err.find("metric 'recal' is not provided by any evaluator") != std::string::npos);
  CHECK(r.err.find("did you mean 'recall'") != std::string::npos);
  // a metric of an evaluator not listed in `evaluators` is found in the loaded plugins
  toml.replace(toml.find("\"recal\""), 7, "\"recall\", \"rmse\"");
  WriteText(dir / "exp2.toml", toml);
  r = RunCommand(Reclift() + " validate " + (dir / "exp2.toml").string());
  CHECK(r.err.find("not provided") == std::string::npos);
}

TEST_CASE("tuning trials are cells: a resumed run repeats no finished trial", "[e2e][engine][tuning]") {
  const fs::path dir = FreshDir("engine-trials");
  std::string toml = Experiment(dir / "out", "", "");
  const std::string knn = "name = \"knn\"\nrecommender = \"item_knn\"\n";
  toml.replace(toml.find(knn), knn.size(), knn + "tune = { top_neighbours = [5, 10, 20, 40] }\n");
  toml += "\n[tuning]\nmethod = \"grid\"\n";
  WriteText(dir / "exp.toml", toml);
  auto r = Run(dir / "exp.toml", "");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto first = Latest(dir / "out");
  CHECK(first["experiment"]["engine"]["trial_cells_computed"] == 4);
  CHECK(first["experiment"]["engine"]["trial_cells_reused"] == 0);
  REQUIRE(first["tuning"]["arms"].size() == 1);
  r = Run(dir / "exp.toml", "--resume");
  REQUIRE(r.exit_code == 0);
  const auto again = Latest(dir / "out");
  CHECK(again["experiment"]["engine"]["trial_cells_computed"] == 0);
  CHECK(again["experiment"]["engine"]["trial_cells_reused"] == 4);
  CHECK(again["experiment"]["engine"]["cells_reused"] == 2);
  CHECK(again["tuning"]["arms"][0]["chosen_params"] == first["tuning"]["arms"][0]["chosen_params"]);
  auto values = [](const nlohmann::json& t) {
    std::vector<double> v;
    for (const auto& trial : t["arms"][0]["trials"]) v.push_back(trial["value"].get<double>());
    return v;
  };
  CHECK(values(again["tuning"]) == values(first["tuning"]));
}
