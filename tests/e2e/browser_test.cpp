// The HTML reports in a real browser: headless Chromium loads them from
// disk, renders the charts, runs the sorting script and takes a screenshot,
// with no console message at all.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli_support.h"
#include "report/compare.h"
#include "report/html.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;
using reclift::testing::FreshDir;
using reclift::testing::ReadText;
using reclift::testing::Reclift;
using reclift::testing::RunCommand;
using reclift::testing::WriteText;

namespace {

// A small but real experiment: four arms on the bundled synthetic data, so
// there are better, worse and segment verdicts to draw. Runs in ~3 s.
constexpr const char* kExperiment = R"toml(
[experiment]
name = "browser-e2e"
description = "Baselines and ALS on the synthetic course platform"
seed = 42

[dataset]
format = "synthetic"
preset = "sample"
positive_threshold = 4.0

[split]
method = "random"
test_fraction = 0.2

[[arms]]
name = "popularity"
recommender = "popularity"

[[arms]]
name = "trending"
recommender = "popularity"
params = { half_life_days = 30.0 }

[[arms]]
name = "random"
recommender = "random"

[[arms]]
name = "als"
recommender = "als"
params = { factors = 16, iterations = 4 }

[evaluation]
k = [10]
metrics = ["precision", "recall", "ndcg"]

[[profilers]]
plugin = "activity"

[ab]
control = "popularity"
primary_metric = "ndcg@10"

[report]
formats = ["json"]
)toml";

// An arm name that runs script if the report fails to escape it: it would
// retitle the page (the dumped DOM shows that) and, as a broken image, log
// an error.
constexpr const char* kHostileName = "<img src=x onerror=\"document.title='pwned'\">";

std::string Chromium() {
  const auto found = RunCommand("command -v chromium");
  if (found.exit_code != 0) return "";
  std::string path = found.out;
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return path;
}

struct BrowserRun {
  int exit_code = -1;
  std::string out;
  std::vector<std::string> console;  // every console message the page produced
  std::string err;
};

// One headless Chromium run with a fresh profile. This Chromium logs each
// console message, whatever its level, and uncaught exceptions as stderr
// lines like `[...:INFO:CONSOLE:12] "Uncaught ReferenceError: ...", source:
// file:///... (12)` (older builds: `INFO:CONSOLE(12)`), so any line with
// ":CONSOLE" is a message from the page; the reports log nothing.
BrowserRun OpenInChromium(const std::string& chromium, const fs::path& dir, const std::string& mode,
                          const fs::path& page) {
  static int runs = 0;
  const fs::path profile = dir / ("profile-" + std::to_string(runs++));
  const std::string command =
      "timeout 60 " + chromium +
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking"
      " --disable-component-update --disable-sync --user-data-dir=" +
      profile.string() + " --enable-logging=stderr --v=0 " + mode + " file://" + fs::absolute(page).string();
  const auto result = RunCommand(command);
  std::error_code ignored;
  fs::remove_all(profile, ignored);  // tens of megabytes of browser state nobody reads
  BrowserRun run{result.exit_code, result.out, {}, result.err};
  std::istringstream lines(result.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) run.console.push_back(line);
  }
  return run;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t count = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

uint32_t BigEndian32(const std::string& bytes, size_t at) {
  uint32_t value = 0;
  for (size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

// Clicks the Mean header of the first metric table twice (ascending, then
// descending) and writes the resulting row orders into the DOM, where
// --dump-dom shows them.
constexpr const char* kSortProbe = R"js(<script>
(function(){
  var table=document.querySelector('table.sortable.metric');
  var header=table.tHead.rows[0].cells[1];
  function order(){
    var names=[];
    Array.prototype.forEach.call(table.tBodies[0].rows,function(row){
      names.push(row.cells[0].firstChild.textContent.trim());
    });
    return names.join('|');
  }
  header.click();
  document.body.setAttribute('data-ascending',order()+';'+header.getAttribute('aria-sort'));
  header.click();
  document.body.setAttribute('data-descending',order()+';'+header.getAttribute('aria-sort'));
})();
</script>
</body>)js";

}  // namespace

TEST_CASE("the HTML report renders in headless Chromium with charts, working sorting and no console errors",
          "[e2e][slow][browser]") {
  const std::string chromium = Chromium();
  if (chromium.empty()) {
    FAIL(
        "chromium is not installed: this test opens the HTML report in headless Chromium. Install Debian's "
        "chromium package (apt-get install -y chromium; scripts/install-deps does it)");
  }
  const fs::path dir = FreshDir("browser");

  // A real run of the built program.
  WriteText(dir / "experiment.toml", kExperiment);
  const auto run = RunCommand(Reclift() + " run " + (dir / "experiment.toml").string() + " -o " +
                              (dir / "runs").string() + " -t 2 -q");
  INFO("reclift stderr: " << run.err);
  REQUIRE(run.exit_code == 0);
  fs::path results_file;
  for (const auto& entry : fs::recursive_directory_iterator(dir / "runs")) {
    if (entry.path().filename() == "results.json") results_file = entry.path();
  }
  REQUIRE(!results_file.empty());
  Json results = Json::parse(ReadText(results_file));

  // The sections schema v1 does not have yet, in their documented shapes
  // (numbers made up for the test), and an arm with a hostile name.
  results["cold_start"] = Json::parse(R"({"metric": "ndcg@10", "shots": [0, 1, 3, 5],
      "arms": {"popularity": {"mean": [0.1, 0.1, 0.1, 0.1], "ci_low": [0.09, 0.09, 0.09, 0.09],
                              "ci_high": [0.11, 0.11, 0.11, 0.11]},
               "als": {"mean": [0.05, 0.1, 0.15, 0.18], "ci_low": [0.04, 0.09, 0.13, 0.16],
                       "ci_high": [0.06, 0.11, 0.17, 0.2]}}})");
  results["diversity"] = Json::parse(R"({"reranker": "mmr", "points": [
      {"arm": "als", "lambda": 0.0, "ndcg@10": 0.2, "ild@10": 0.4, "coverage@10": 0.2},
      {"arm": "als", "lambda": 0.5, "ndcg@10": 0.18, "ild@10": 0.55, "coverage@10": 0.35}]})");
  results["arms"].push_back({{"name", kHostileName},
                             {"recommender", "als"},
                             {"plugin", "als@1.0.0"},
                             {"status", "failed"},
                             {"error", "<b>bold</b> failure"},
                             {"metrics", Json::object()}});

  const fs::path report = dir / "report.html";
  const std::string html = reclift::host::RenderHtml(results);
  WriteText(report, html);

  // One run of the program serves every check below, so no SECTIONs (Catch
  // would rerun the experiment for each).
  {  // A screenshot of the report is a non-trivial PNG of the window's size.
    const fs::path png = dir / "report.png";
    const BrowserRun shot = OpenInChromium(
        chromium, dir, "--hide-scrollbars --window-size=1280,2400 --screenshot=" + png.string(), report);
    INFO("chromium stderr: " << shot.err);
    REQUIRE(shot.exit_code == 0);
    CHECK(shot.console.empty());
    REQUIRE(fs::exists(png));
    const std::string bytes = ReadText(png);
    REQUIRE(bytes.size() > 24);
    CHECK(bytes.substr(0, 8) == "\x89PNG\r\n\x1a\n");
    CHECK(bytes.substr(12, 4) == "IHDR");
    CHECK(BigEndian32(bytes, 16) == 1280);
    CHECK(BigEndian32(bytes, 20) == 2400);
    // A blank or unstyled page compresses to a few kilobytes; the report's
    // text, cards and charts do not.
    CHECK(bytes.size() > 60000);
  }

  {  // The rendered DOM has the charts, escaped names and a table sorted by header clicks.
    std::string probe = html;
    const size_t body_end = probe.rfind("</body>");
    REQUIRE(body_end != std::string::npos);
    probe.replace(body_end, std::string("</body>").size(), kSortProbe);
    const fs::path probe_page = dir / "probe.html";
    WriteText(probe_page, probe);
    const BrowserRun dom = OpenInChromium(chromium, dir, "--dump-dom", probe_page);
    INFO("chromium stderr: " << dom.err);
    REQUIRE(dom.exit_code == 0);
    for (const std::string& line : dom.console) FAIL_CHECK("console message: " << line);

    // The hostile name stayed text: the title is unchanged, no image exists.
    CHECK(dom.out.find("<title>reclift report: browser-e2e</title>") != std::string::npos);
    CHECK(dom.out.find("<img") == std::string::npos);
    CHECK(dom.out.find("&lt;b&gt;bold&lt;/b&gt; failure") != std::string::npos);

    // Charts: 3 forest plots (one per metric), the heatmap, the cold-start
    // curves and two diversity panels.
    CHECK(Count(dom.out, "<svg class=\"chart\"") == 7);
    CHECK(dom.out.find("aria-label=\"Forest plot: Relative lift of ndcg@10 vs control") != std::string::npos);
    CHECK(dom.out.find("aria-label=\"Heatmap: relative lift of ndcg@10 by segment\"") != std::string::npos);
    CHECK(Count(dom.out, "<g class=\"cell") == 3 * 5);  // 3 treatments x (all users + 4 activity segments)
    CHECK(dom.out.find(">Interactions known per cold-start user (shots)</text>") != std::string::npos);
    CHECK(dom.out.find(">ild@10 (diversity, higher is more diverse)</text>") != std::string::npos);

    // Sorting: the Mean column of ndcg@10 orders the arms by their mean.
    std::vector<std::pair<double, std::string>> arms;
    for (const Json& arm : results["arms"]) {
      if (arm.value("status", "ok") == "ok")
        arms.emplace_back(arm["metrics"]["ndcg@10"]["mean"].get<double>(), arm["name"]);
    }
    std::sort(arms.begin(), arms.end());
    std::string ascending, descending;
    for (size_t i = 0; i < arms.size(); ++i) {
      ascending += (i ? "|" : "") + arms[i].second;
      descending += (i ? "|" : "") + arms[arms.size() - 1 - i].second;
    }
    CHECK(dom.out.find("data-ascending=\"" + ascending + ";ascending\"") != std::string::npos);
    CHECK(dom.out.find("data-descending=\"" + descending + ";descending\"") != std::string::npos);
  }

  {  // The comparison page of two runs renders without console messages.
    Json b = results;
    b["arms"][3]["plugin"] = "als@1.1.0";
    reclift::host::CompareOptions options;
    options.bootstrap_samples = 200;
    const fs::path page = dir / "compare.html";
    WriteText(page, reclift::host::RenderComparisonHtml(results, b, options));
    const BrowserRun dom = OpenInChromium(chromium, dir, "--dump-dom", page);
    INFO("chromium stderr: " << dom.err);
    REQUIRE(dom.exit_code == 0);
    for (const std::string& line : dom.console) FAIL_CHECK("console message: " << line);
    CHECK(dom.out.find("<code>als@1.1.0</code>") != std::string::npos);
    CHECK(Count(dom.out, "<svg class=\"chart\"") == 3);  // a forest plot per metric
  }
}
