// End-to-end: the same experiment and suite files under `mpirun -np 3`
// (cells over ranks, rank 0 writing every output) give the results of a
// single-process run, every per-user value and statistic included.
#if RECLIFT_WITH_MPI
#include <unistd.h>

#include <cstdlib>

#include <catch2/catch.hpp>
#include <set>

#include "e2e/cli_support.h"

using namespace reclift::testing;
namespace fs = std::filesystem;

namespace {

std::string Mpirun(int ranks, const std::string& extra = "") {
  std::string cmd = "mpirun --oversubscribe -np " + std::to_string(ranks);
  if (::geteuid() == 0) cmd += " --allow-run-as-root";
  // under the sanitizers: Open MPI keeps memory until exit in plugins it has
  // unloaded by then, which LeakSanitizer reports without a frame to
  // suppress; the leak check stays on for every single-process run
  if (std::getenv("ASAN_OPTIONS") != nullptr) cmd += " -x ASAN_OPTIONS=detect_leaks=0";
  return cmd + " " + extra + " " + Reclift();
}

const char* kExperiment = R"([experiment]
name = "mpi"
seed = 3
split_repeats = 2

[dataset]
format = "synthetic"
preset = "tiny"
positive_threshold = 4.0

[split]
method = "random"
test_fraction = 0.25

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "knn"
recommender = "item_knn"
params = { top_neighbours = [20, 50] }

[[arms]]
name = "als"
recommender = "als"

[evaluation]
k = [5, 10]
metrics = ["precision", "recall", "ndcg"]

[[profilers]]
plugin = "activity"

[ab]
control = "pop"
primary_metric = "ndcg@10"
)";

}  // namespace

TEST_CASE("an experiment under mpirun -np 3 gives the results of one process", "[e2e][mpi]") {
  const fs::path dir = FreshDir("mpi-run");
  WriteText(dir / "exp.toml", kExperiment);  // 2 repetitions x 4 arms = 8 cells
  auto one =
      RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " -q -o " + (dir / "one").string());
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  auto many = RunCommand(Mpirun(3) + " run " + (dir / "exp.toml").string() + " -q -t 1 -o " +
                         (dir / "many").string());
  INFO(many.err);
  REQUIRE(many.exit_code == 0);
  const auto a = nlohmann::json::parse(ReadText(dir / "one" / "latest" / "results.json"));
  const auto b = nlohmann::json::parse(ReadText(dir / "many" / "latest" / "results.json"));
  CHECK(WithoutRunFacts(a) == WithoutRunFacts(b));
  CHECK(a["per_user"] == b["per_user"]);
  // the cells really were spread: more than one rank ran some
  std::set<int> ranks;
  for (const auto& c : b["cells"])
    for (const auto& arm : c["arms"]) ranks.insert(arm["rank"].get<int>());
  CHECK(ranks.size() >= 2);
  // and without a shared file system the data travels by MPI, to the same results
  auto sent = RunCommand(Mpirun(3) + " run " + (dir / "exp.toml").string() + " -q -t 1 --mpi-send-data -o " +
                         (dir / "sent").string());
  INFO(sent.err);
  REQUIRE(sent.exit_code == 0);
  const auto c = nlohmann::json::parse(ReadText(dir / "sent" / "latest" / "results.json"));
  CHECK(WithoutRunFacts(a) == WithoutRunFacts(c));
}

TEST_CASE("a suite under mpirun -np 3 gives the suite of one process", "[e2e][mpi]") {
  const fs::path dir = FreshDir("mpi-suite");
  WriteText(dir / "suite.toml", R"([suite]
name = "mpi-suite"
primary_metric = "ndcg@10"

[[datasets]]
name = "a"
dataset = { format = "synthetic", preset = "tiny", seed = 1, positive_threshold = 4.0 }

[[datasets]]
name = "b"
dataset = { format = "synthetic", preset = "tiny", seed = 2, positive_threshold = 4.0 }

[[datasets]]
name = "c"
dataset = { format = "synthetic", preset = "tiny", seed = 3, positive_threshold = 4.0 }

[split]
method = "random"
test_fraction = 0.25

[[arms]]
name = "pop"
recommender = "popularity"

[[arms]]
name = "knn"
recommender = "item_knn"

[[arms]]
name = "als"
recommender = "als"

[evaluation]
k = [10]
metrics = ["ndcg", "recall"]

[ab]
control = "pop"
primary_metric = "ndcg@10"
)");
  auto one = RunCommand(Reclift() + " suite " + (dir / "suite.toml").string() + " -q --db none -o " +
                        (dir / "one").string());
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  auto many = RunCommand(Mpirun(3) + " suite " + (dir / "suite.toml").string() + " -q -t 1 --db none -o " +
                         (dir / "many").string());
  INFO(many.err);
  REQUIRE(many.exit_code == 0);
  auto find_suite = [](const fs::path& root) {
    for (const auto& e : fs::recursive_directory_iterator(root)) {
      if (e.path().filename() == "suite.json") return e.path();
    }
    return fs::path();
  };
  const fs::path sa = find_suite(dir / "one"), sb = find_suite(dir / "many");
  REQUIRE(!sa.empty());
  REQUIRE(!sb.empty());
  auto a = nlohmann::json::parse(ReadText(sa));
  auto b = nlohmann::json::parse(ReadText(sb));
  REQUIRE(a.contains("statistics"));
  CHECK(a["statistics"] == b["statistics"]);
  CHECK(a["table"] == b["table"]);
}
#endif
