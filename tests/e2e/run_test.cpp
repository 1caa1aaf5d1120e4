// End-to-end: the `reclift` program on small synthetic experiments.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "e2e/cli_support.h"
#include "report/csv_records.h"

using namespace reclift::testing;
namespace fs = std::filesystem;

namespace {

std::string Experiment(const fs::path& out, const std::string& arms_extra = "") {
  return R"([experiment]
name = "e2e"
seed = 7
output = ")" +
         out.string() + R"("

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
name = "rnd"
recommender = "random"
)" + arms_extra +
         R"(
[evaluation]
k = [5, 10]
metrics = ["precision", "recall", "ndcg"]

[[profilers]]
plugin = "activity"

[ab]
control = "pop"
primary_metric = "ndcg@10"
)";
}

nlohmann::json RunAndRead(const fs::path& dir, const std::string& toml, const std::string& flags,
                          int expect_exit) {
  WriteText(dir / "exp.toml", toml);
  auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " --quiet " + flags);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == expect_exit);
  REQUIRE(r.out.find("report: ") != std::string::npos);
  const fs::path results =
      fs::path(r.out.substr(r.out.find("report: ") + 8, r.out.find('\n') - 8)).parent_path() / "results.json";
  REQUIRE(fs::exists(results));
  return nlohmann::json::parse(ReadText(results));
}

}  // namespace

TEST_CASE("a run writes results, reports and comparisons, and nothing half-written", "[e2e]") {
  const fs::path dir = FreshDir("run-basic");
  auto results = RunAndRead(dir, Experiment(dir / "out"), "", 0);
  CHECK(results["schema_version"] == 1);
  CHECK(results["arms"].size() == 2);
  for (const auto& arm : results["arms"]) {
    CHECK(arm["status"] == "ok");
    CHECK(arm["metrics"].contains("ndcg@10"));
    CHECK(arm["metrics"].contains("precision@5"));
    CHECK(arm["segments"].contains("activity"));
  }
  CHECK(results["arms"][0]["plugin"].get<std::string>().rfind("popularity@", 0) == 0);  // name@version
  // one comparison per (treatment, metric) overall, plus per segment
  size_t overall = 0;
  for (const auto& c : results["ab"]["comparisons"]) {
    overall += c["segment"].is_null();
    CHECK(c["treatment"] == "rnd");
    const std::string v = c["verdict"];
    CHECK((v == "better" || v == "worse" || v == "no detectable difference"));
  }
  CHECK(overall == 6);  // 3 metrics x 2 cut-offs
  CHECK(results["config"]["arms"].size() == 2);
  const fs::path run_dir = results["experiment"]["run_dir"].get<std::string>();
  for (const char* f : {"results.json", "summary.md", "per_user.csv", "aggregates.csv"}) {
    CHECK(fs::exists(run_dir / f));
  }
  for (const auto& e : fs::directory_iterator(run_dir)) {
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
  }
  CHECK(fs::is_symlink(run_dir.parent_path() / "latest"));
}

TEST_CASE("results are identical with 1 and 2 threads", "[e2e]") {
  const fs::path dir = FreshDir("run-threads");
  auto one = RunAndRead(dir / "a", Experiment(dir / "a" / "out"), "--threads 1", 0);
  auto two = RunAndRead(dir / "b", Experiment(dir / "b" / "out"), "--threads 2", 0);
  CHECK(one["arms"][0]["metrics"] == two["arms"][0]["metrics"]);
  CHECK(one["arms"][1]["metrics"] == two["arms"][1]["metrics"]);
  CHECK(one["ab"]["comparisons"] == two["ab"]["comparisons"]);
  CHECK(one["per_user"] == two["per_user"]);
}

TEST_CASE("a faulty plugin fails only its own arm, with its message in the results", "[e2e]") {
  const fs::path dir = FreshDir("run-faulty");
  const std::string mode = GENERATE(as<std::string>{}, "fit-throws", "fit-error", "score-throws", "nan");
  const std::string arm =
      "\n[[arms]]\nname = \"broken\"\nrecommender = \"faulty\"\nparams = { mode = \"" + mode + "\" }\n";
  auto results = RunAndRead(dir, Experiment(dir / "out", arm),
                            std::string("--plugin-path ") + RECLIFT_TEST_PLUGIN_DIR + "/good", 3);
  REQUIRE(results["arms"].size() == 3);
  CHECK(results["arms"][0]["status"] == "ok");
  CHECK(results["arms"][1]["status"] == "ok");
  CHECK(results["arms"][2]["status"] == "failed");
  const std::string error = results["arms"][2]["error"];
  INFO(error);
  if (mode == "fit-throws") CHECK(error.find("fit exploded on purpose") != std::string::npos);
  if (mode == "fit-error") CHECK(error.find("fit refused on purpose") != std::string::npos);
  if (mode == "score-throws") CHECK(error.find("score exploded on purpose") != std::string::npos);
  if (mode == "nan") CHECK(error.find("non-finite score") != std::string::npos);
  for (const auto& c : results["ab"]["comparisons"]) CHECK(c["treatment"] != "broken");
}

TEST_CASE("overrides given with --set win over the file and are recorded in the resolved configuration",
          "[e2e]") {
  const fs::path dir = FreshDir("run-set");
  auto results =
      RunAndRead(dir, Experiment(dir / "out"), "--set split.test_fraction=0.3 --set experiment.seed=9", 0);
  CHECK(results["config"]["split"]["test_fraction"] == Approx(0.3));
  CHECK(results["experiment"]["seed"] == 9);
}

TEST_CASE("reclift validate reports file:line:column for a misspelt plugin", "[e2e]") {
  const fs::path dir = FreshDir("validate");
  std::string toml = Experiment(dir / "out");
  toml.replace(toml.find("recommender = \"random\""), 22, "recommender = \"randmo\"");
  WriteText(dir / "exp.toml", toml);
  auto r = RunCommand(Reclift() + " validate " + (dir / "exp.toml").string());
  CHECK(r.exit_code == 1);
  INFO(r.err);
  CHECK(r.err.find("exp.toml:21:") != std::string::npos);
  CHECK(r.err.find("did you mean 'random'") != std::string::npos);
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line

  WriteText(dir / "ok.toml", Experiment(dir / "out"));
  r = RunCommand(Reclift() + " validate " + (dir / "ok.toml").string());
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("ok (2 arms") != std::string::npos);
}

TEST_CASE("reclift plugins lists every plugin with its parameters", "[e2e]") {
  auto r = RunCommand(Reclift() + " plugins --json");
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  std::set<std::string> names;
  for (const auto& p : j["plugins"]) names.insert(p["name"].get<std::string>());
  for (const char* n : {"popularity", "random", "ranking", "activity"}) CHECK(names.count(n) == 1);
  r = RunCommand(Reclift() + " plugins --kind profiler");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("activity") != std::string::npos);
  CHECK(r.out.find("\npopularity  (") == std::string::npos);  // a recommender: not listed
  CHECK(r.out.find("light_min") != std::string::npos);
}

TEST_CASE("commands fail with a one-line reason and a non-zero exit code", "[e2e]") {
  auto r = RunCommand(Reclift() + " run /nonexistent/exp.toml");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("/nonexistent/exp.toml") != std::string::npos);
  r = RunCommand(Reclift() + " frobnicate");
  CHECK(r.exit_code != 0);
  r = RunCommand(Reclift() + " new gadget my_thing --dir /tmp/x");
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("gadget") != std::string::npos);
  for (const char* cmd : {"run", "validate", "plugins", "new", "synth", "report"}) {
    r = RunCommand(Reclift() + " " + cmd + " --help");
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("Usage") != std::string::npos);
  }
}

TEST_CASE("a run with scenarios writes a long-format CSV per scenario that a CSV reader parses", "[e2e]") {
  const fs::path dir = FreshDir("run-scenario-csv");
  const std::string scenarios = R"(
[[scenarios]]
kind = "cold-start-users"
shots = [0, 2]

[[scenarios]]
kind = "cold-start-items"

[[scenarios]]
kind = "diversity"
reranker = "calibration"
lambda = [0.0, 0.5]
)";
  auto results = RunAndRead(dir, Experiment(dir / "out") + scenarios, "", 0);
  const fs::path run_dir = results["experiment"]["run_dir"].get<std::string>();
  const std::map<std::string, std::string> files = {{"cold_start_users.csv", "cold_start_users"},
                                                    {"cold_start_items.csv", "cold_start_items"},
                                                    {"diversity.csv", "diversity"}};
  for (const auto& [file, section] : files) {
    INFO(file);
    REQUIRE(results.contains(section));
    CHECK(!results[section].contains("error"));
    REQUIRE(fs::exists(run_dir / file));
    const auto records = ParseCsv(ReadText(run_dir / file));
    REQUIRE(records.size() > 1);  // a header and at least one row
    for (const auto& record : records) CHECK(record.size() == records.front().size());
    CHECK(records.front().front() == "arm");
  }
  // 2 arms x 2 shots in each mode the scenario ran
  CHECK(ParseCsv(ReadText(run_dir / "cold_start_users.csv")).size() ==
        1 + 4 * results["cold_start_users"]["modes"].size());
  // `reclift report` lists them among the files it writes
  auto r = RunCommand(Reclift() + " report " + (run_dir / "results.json").string() + " --output " +
                      (dir / "again").string() + " --format csv");
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Matchers::Contains("diversity.csv"));
  CHECK(ReadText(dir / "again" / "cold_start_items.csv") == ReadText(run_dir / "cold_start_items.csv"));
}

TEST_CASE("reclift report re-renders the reports from results.json alone", "[e2e]") {
  const fs::path dir = FreshDir("rerender");
  auto results = RunAndRead(dir, Experiment(dir / "out"), "", 0);
  const fs::path run_dir = results["experiment"]["run_dir"].get<std::string>();
  const std::string md = ReadText(run_dir / "summary.md");
  auto r = RunCommand(Reclift() + " report " + (run_dir / "results.json").string() + " --output " +
                      (dir / "again").string() + " --format md,csv");
  REQUIRE(r.exit_code == 0);
  CHECK(ReadText(dir / "again" / "summary.md") == md);
  CHECK(ReadText(dir / "again" / "per_user.csv") == ReadText(run_dir / "per_user.csv"));
}

TEST_CASE("bucketed assignment evaluates each user on one arm with independent-sample tests", "[e2e]") {
  const fs::path dir = FreshDir("run-bucketed");
  auto results = RunAndRead(dir, Experiment(dir / "out"), "--set ab.assignment=bucketed", 0);
  const auto& per_user = results["per_user"]["arms"];
  const size_t users = results["per_user"]["users"].size();
  size_t both = 0, either = 0;
  for (size_t u = 0; u < users; ++u) {
    const bool a = !per_user["pop"]["ndcg@10"][u].is_null(), b = !per_user["rnd"]["ndcg@10"][u].is_null();
    both += a && b;
    either += a || b;
  }
  CHECK(both == 0);  // nobody is in two arms
  CHECK(either > users / 2);
  CHECK(results["ab"]["sample_ratio"]["mismatch"] == false);
  for (const auto& c : results["ab"]["comparisons"]) {
    CHECK(c.contains("p_value_mann_whitney"));
    CHECK(c.contains("minimum_detectable_effect"));
    CHECK(c["n"] == c["n_control"].get<size_t>() + c["n_treatment"].get<size_t>());
  }
}

TEST_CASE("sampled candidates are flagged as not comparable to full ranking and change the metrics",
          "[e2e]") {
  const fs::path dir = FreshDir("run-sampled");
  auto full = RunAndRead(dir / "full", Experiment(dir / "full" / "out"), "", 0);
  auto sampled = RunAndRead(dir / "sampled", Experiment(dir / "sampled" / "out"),
                            "--set evaluation.candidates=sampled --set evaluation.negatives=20", 0);
  CHECK(full["evaluation"]["comparable_to_full_ranking"] == true);
  CHECK(sampled["evaluation"]["comparable_to_full_ranking"] == false);
  CHECK(sampled["evaluation"]["negatives"] == 20);
  // a handful of candidates is far easier to rank than the whole catalogue
  CHECK(sampled["arms"][0]["metrics"]["recall@10"]["mean"].get<double>() >
        full["arms"][0]["metrics"]["recall@10"]["mean"].get<double>());
  bool flagged = false;
  for (const auto& w : sampled["warnings"])
    flagged = flagged || w.get<std::string>().find("not comparable") != std::string::npos;
  CHECK(flagged);
}

namespace {

// trec_eval's measures, from its documentation and definitions (not from
// reclift's evaluator): the run is re-sorted by score (descending; ties by
// docno, descending), relevance >= 1 counts as relevant, ndcg_cut uses the
// qrels relevance as a linear gain with discount log2(rank + 1) and the ideal
// list of all the query's relevant documents, map_cut divides by all the
// query's relevant documents, and -c averages over every query of the qrels.
struct TrecEval {
  std::map<std::string, std::map<std::string, long>> qrels;  // query -> doc -> relevance
  std::map<std::string, std::vector<std::pair<double, std::string>>> run;

  TrecEval(const std::string& qrels_text, const std::string& run_text) {
    std::istringstream q(qrels_text), r(run_text);
    std::string query, zero, doc, rel, q0, rank, score, tag;
    while (q >> query >> zero >> doc >> rel) qrels[query][doc] = std::atol(rel.c_str());
    while (r >> query >> q0 >> doc >> rank >> score >> tag) run[query].emplace_back(std::stod(score), doc);
    for (auto& [query, docs] : run) {
      std::sort(docs.begin(), docs.end(), [](const auto& a, const auto& b) {
        return a.first > b.first || (a.first == b.first && a.second > b.second);
      });
    }
  }

  // The mean over the qrels' queries of `measure` at cut-off k.
  double Mean(const std::string& measure, size_t k) const {
    double total = 0;
    for (const auto& [query, judged] : qrels) {
      std::vector<long> gains;  // of the ranked documents
      if (auto it = run.find(query); it != run.end()) {
        for (const auto& [score, doc] : it->second) {
          const auto j = judged.find(doc);
          gains.push_back(j == judged.end() ? 0 : j->second);
        }
      }
      std::vector<long> ideal;
      for (const auto& [doc, rel] : judged) {
        if (rel >= 1) ideal.push_back(rel);
      }
      std::sort(ideal.rbegin(), ideal.rend());
      const double num_rel = static_cast<double>(ideal.size());
      double hits = 0, dcg = 0, idcg = 0, ap = 0, rr = 0;
      for (size_t i = 0; i < gains.size(); ++i) {
        if (gains[i] < 1) continue;
        if (rr == 0) rr = 1.0 / static_cast<double>(i + 1);
        if (i >= k) continue;
        hits += 1;
        dcg += static_cast<double>(gains[i]) / std::log2(static_cast<double>(i) + 2);
        ap += hits / static_cast<double>(i + 1);
      }
      for (size_t i = 0; i < ideal.size() && i < k; ++i) {
        idcg += static_cast<double>(ideal[i]) / std::log2(static_cast<double>(i) + 2);
      }
      if (measure == "P") total += hits / static_cast<double>(k);
      if (measure == "recall") total += hits / num_rel;
      if (measure == "ndcg_cut") total += idcg > 0 ? dcg / idcg : 0;
      if (measure == "map_cut") total += ap / num_rel;
      if (measure == "success") total += hits > 0 ? 1 : 0;
      if (measure == "recip_rank") total += rr;
    }
    return total / static_cast<double>(qrels.size());
  }
};

}  // namespace

TEST_CASE("the TREC export, scored by trec_eval's definitions, gives reclift's means to 4 decimals",
          "[e2e][trec]") {
  const fs::path dir = FreshDir("run-trec");
  std::string toml = Experiment(dir / "out", R"(
[[arms]]
name = "knn"
recommender = "item_knn"
)");
  toml.replace(toml.find(R"(metrics = ["precision", "recall", "ndcg"])"),
               std::string(R"(metrics = ["precision", "recall", "ndcg"])").size(),
               R"(metrics = ["precision", "recall", "ndcg", "map", "hit_rate", "mrr"])");
  auto results = RunAndRead(dir, toml, "--set evaluation.export_trec=true", 0);
  const fs::path trec = fs::path(results["experiment"]["run_dir"].get<std::string>()) / "trec";
  const std::string qrels = ReadText(trec / "qrels.txt");
  CHECK(ReadText(trec / "README.txt").find("trec_eval -c -m P.5") != std::string::npos);
  size_t compared = 0;
  for (const auto& arm : results["arms"]) {
    const std::string name = arm["name"];
    INFO("arm " << name);
    REQUIRE(fs::exists(trec / ("run-" + name + ".txt")));
    const TrecEval te(qrels, ReadText(trec / ("run-" + name + ".txt")));
    REQUIRE(te.qrels.size() > 20);
    const auto& m = arm["metrics"];
    for (size_t k : {5u, 10u}) {
      const std::string at = "@" + std::to_string(k);
      CHECK(te.Mean("P", k) == Approx(m["precision" + at]["mean"].get<double>()).margin(5e-5));
      CHECK(te.Mean("recall", k) == Approx(m["recall" + at]["mean"].get<double>()).margin(5e-5));
      CHECK(te.Mean("ndcg_cut", k) == Approx(m["ndcg" + at]["mean"].get<double>()).margin(5e-5));
      CHECK(te.Mean("map_cut", k) == Approx(m["map" + at]["mean"].get<double>()).margin(5e-5));
      CHECK(te.Mean("success", k) == Approx(m["hit_rate" + at]["mean"].get<double>()).margin(5e-5));
      compared += 5;
    }
    // the runs are 10 long: recip_rank (no cut-off) is mrr@10
    CHECK(te.Mean("recip_rank", 1000) == Approx(m["mrr@10"]["mean"].get<double>()).margin(5e-5));
  }
  CHECK(compared == 30);
}

TEST_CASE("k-fold and seed repeats report the spread of every arm across cells", "[e2e]") {
  const fs::path dir = FreshDir("run-repeats");
  auto results =
      RunAndRead(dir, Experiment(dir / "out"),
                 "--set split.method=kfold --set split.folds=3 --set experiment.seed_repeats=2", 0);
  const auto& r = results["repeats"];
  REQUIRE(r["cells"].size() == 6);  // 3 folds x 2 seeds
  const auto& pop = r["arms"]["pop"]["ndcg@10"];
  CHECK(pop["values"].size() == 6);
  CHECK(pop["split_sd"].get<double>() > 0);    // folds differ
  CHECK(pop["seed_sd"].get<double>() == 0.0);  // popularity ignores the seed
  CHECK(pop["ci_low"].get<double>() <= pop["mean"].get<double>());
  CHECK(r["lifts"]["rnd"]["ndcg@10"]["mean"].get<double>() < 0);
  // the first cell is the main analysis
  CHECK(pop["values"][0].get<double>() ==
        Approx(results["arms"][0]["metrics"]["ndcg@10"]["mean"].get<double>()));
  // and the summary shows the spread
  const std::string md =
      ReadText(fs::path(results["experiment"]["run_dir"].get<std::string>()) / "summary.md");
  CHECK(md.find("### Repeats: ndcg@10 over 6 cells") != std::string::npos);
  CHECK(md.find("| pop (control) |") != std::string::npos);
}

TEST_CASE("a per-user split on timestamped data is reported as future leakage, and can stop the run",
          "[e2e]") {
  const fs::path dir = FreshDir("run-leakage");
  auto results = RunAndRead(dir, Experiment(dir / "out"), "", 0);
  bool future = false;
  for (const auto& f : results["leakage"]) future = future || f["kind"] == "future-leakage";
  CHECK(future);
  WriteText(dir / "exp.toml", Experiment(dir / "out"));
  auto r = RunCommand(Reclift() + " run " + (dir / "exp.toml").string() + " -q --set split.leakage=error");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("future-leakage") != std::string::npos);
}

TEST_CASE("with their defaults, every personalised recommender beats popularity on the bundled sample",
          "[e2e][slow]") {
  // experiments/defaults.toml: one arm per recommender plugin, quickstart's split (issue 3)
  const fs::path dir = FreshDir("defaults");
  const fs::path experiment =
      fs::path(RECLIFT_TEST_DATA_DIR).parent_path().parent_path() / "experiments" / "defaults.toml";
  auto r = RunCommand(Reclift() + " run " + experiment.string() +
                      " --quiet --set experiment.output=" + (dir / "out").string());
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path results =
      fs::path(r.out.substr(r.out.find("report: ") + 8, r.out.find('\n') - 8)).parent_path() / "results.json";
  const auto json = nlohmann::json::parse(ReadText(results));
  std::map<std::string, double> ndcg;
  for (const auto& arm : json["arms"]) {
    CAPTURE(arm["name"]);
    REQUIRE(arm["status"] == "ok");
    ndcg[arm["name"]] = arm["metrics"]["ndcg@10"]["mean"].get<double>();
  }
  // every recommender plugin has its arm
  const std::set<std::string> expected{"popularity", "random", "baseline", "item_knn", "user_knn",
                                       "mf_sgd",     "svdpp",  "als",      "bpr",      "ease",
                                       "content",    "ncf",    "hybrid"};
  std::set<std::string> arms;
  for (const auto& [name, value] : ndcg) arms.insert(name);
  CHECK(arms == expected);
  const double popularity = ndcg.at("popularity");
  for (const char* personalised :
       {"item_knn", "user_knn", "mf_sgd", "svdpp", "als", "bpr", "ease", "content", "ncf", "hybrid"}) {
    CAPTURE(personalised, popularity);
    CHECK(ndcg.at(personalised) > popularity);
  }
  // the floor, and the rating predictor that does not personalise what it ranks
  CHECK(ndcg.at("random") < popularity);
  CHECK(ndcg.at("baseline") < popularity);
}
