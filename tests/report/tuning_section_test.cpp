// The tuning section in the reports, from a small hand-made results
// document: the best parameters with validation next to test, the trials
// table, the best-so-far curve and per-parameter scatters (log axis for a
// log-uniform parameter), and tuning.csv; and `compare` lists changed
// chosen parameters.
#include "report/tuning_section.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "report/compare.h"
#include "report/render.h"

using namespace reclift::host;
using Catch::Matchers::Contains;

namespace {

nlohmann::json Results(double best_reg) {
  nlohmann::json trials = nlohmann::json::array();
  trials.push_back({{"trial", 0},
                    {"rung", 0},
                    {"params", {{"factors", 32}, {"regularization", 0.5}}},
                    {"budget", nullptr},
                    {"value", 0.21},
                    {"fit_seconds", 0.5},
                    {"seconds", 0.7},
                    {"status", "ok"}});
  trials.push_back({{"trial", 1},
                    {"rung", 0},
                    {"params", {{"factors", 64}, {"regularization", best_reg}}},
                    {"budget", nullptr},
                    {"value", 0.25},
                    {"fit_seconds", 0.6},
                    {"seconds", 0.8},
                    {"status", "ok"}});
  trials.push_back({{"trial", 2},
                    {"rung", 0},
                    {"params", {{"factors", 128}, {"regularization", 900.0}}},
                    {"budget", nullptr},
                    {"value", nullptr},
                    {"fit_seconds", 0.1},
                    {"seconds", 0.1},
                    {"status", "failed"},
                    {"error", "diverged"}});
  nlohmann::json arm = {
      {"arm", "als_tuned"},
      {"recommender", "als"},
      {"space", {{"factors", {32, 64, 128}}, {"regularization", {{"log_uniform", {0.1, 1000.0}}}}}},
      {"budget_parameter", ""},
      {"trials", trials},
      {"best_so_far", {0.21, 0.25, 0.25}},
      {"failed", 1},
      {"best", {{"trial", 1}, {"params", {{"factors", 64}, {"regularization", best_reg}}}, {"value", 0.25}}},
      {"chosen_params", {{"factors", 64}, {"regularization", best_reg}}},
      {"seconds", 2.0}};
  nlohmann::json r;
  r["schema_version"] = 1;
  r["tuning"] = {{"method", "tpe"},
                 {"trials", 3},
                 {"metric", "ndcg@10"},
                 {"higher_is_better", true},
                 {"refit", true},
                 {"seed", 42},
                 {"validation", {{"fold", 0}, {"train", 800}, {"validation", 200}}},
                 {"seconds", 2.0},
                 {"arms", {arm}}};
  r["arms"] = {{{"name", "als_tuned"}, {"status", "ok"}, {"metrics", {{"ndcg@10", {{"mean", 0.31}}}}}}};
  return r;
}

}  // namespace

TEST_CASE("the tuning section shows best parameters, validation against test, charts and every trial",
          "[report][tuning]") {
  const nlohmann::json r = Results(10.0);
  const std::string html = RenderTuningHtml(r);
  CHECK_THAT(html, Contains("<h2>Tuning</h2>") && Contains("als_tuned") &&
                       Contains("factors = 64, regularization = 10"));
  CHECK_THAT(html,
             Contains("0.2500") && Contains("0.3100"));  // validation and test of the chosen configuration
  CHECK_THAT(html,
             Contains("best so far") && Contains("against factors") && Contains("against regularization"));
  CHECK_THAT(html, Contains("regularization (log scale)"));
  CHECK_THAT(html, Contains("failed: diverged") && Contains("1 trial(s) failed"));
  CHECK(html.find("factors (log scale)") == std::string::npos);
  size_t svgs = 0;
  for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
  CHECK(svgs == 3);  // best-so-far + one scatter per parameter

  const std::string md = RenderTuningMarkdown(r);
  CHECK_THAT(md, Contains("| als\\_tuned | factors = 64, regularization = 10 | 3 | 1 | 0.2500 | 0.3100 |"));
  CHECK_THAT(md, Contains("failed: diverged"));

  const std::string csv = RenderTuningCsv(r);
  std::istringstream lines(csv);
  std::string header, line;
  std::getline(lines, header);
  CHECK(header ==
        "arm,trial,rung,budget,status,metric,value,fit_seconds,seconds,best_so_far,param.factors,param."
        "regularization,error");
  size_t rows = 0;
  while (std::getline(lines, line)) ++rows;
  CHECK(rows == 3);
  CHECK_THAT(csv, Contains("als_tuned,1,0,,ok,ndcg@10,0.25,0.6,0.8,0.25,64,10,"));
  CHECK_THAT(csv, Contains(",failed,") && Contains(",diverged"));

  nlohmann::json untuned = r;
  untuned.erase("tuning");
  CHECK(RenderTuningHtml(untuned).empty());
  CHECK(RenderTuningMarkdown(untuned).empty());
  CHECK(RenderTuningCsv(untuned).empty());
}
