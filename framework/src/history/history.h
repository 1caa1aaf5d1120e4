// The history: every run, suite and comparison indexed in one SQLite
// database (default reports/reclift.db), so "how did als do on ml-100k over
// the last month, and since plugin version 1.3?" is one query.
//
// Tables (schema version 1, in meta):
//   runs(run_id, kind = run|suite|comparison, started_at, indexed_at, name,
//        file, file_hash, run_dir, results_file, dataset_name,
//        dataset_fingerprint, split (JSON), status = ok|partial|failed,
//        failures (JSON), seconds, details (JSON))
//   arms(run_id, arm, plugin "name@version", recommender, version,
//        params (JSON), status, error, fit_seconds, eval_seconds,
//        peak_rss_bytes)
//   metrics(run_id, arm, metric, mean, ci_low, ci_high, n)
//
// Writers use WAL and a busy timeout (10 s, or $RECLIFT_DB_TIMEOUT_MS), and
// write one run in one transaction,
// so concurrent runs can index safely. Indexing never fails a run: a
// missing folder, a locked or corrupt database only logs a warning (with
// the `reclift history --rebuild` hint). Queries and the rebuild throw Error.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace reclift::host::history {

// The database used when none is given: $RECLIFT_DB, else reports/reclift.db.
std::filesystem::path DefaultDatabase();

// A run's id: 12 hex digits of a hash of its run folder and start time
// (stable: the same results.json always gives the same id).
std::string RunId(const nlohmann::json& results);
std::string SuiteId(const nlohmann::json& suite_json);

// Index one run (results.json), suite (suite.json) or comparison (the two
// results.json documents). Return false after logging a warning when the
// database cannot be written; never throw.
bool IndexRun(const std::filesystem::path& db, const nlohmann::json& results,
              const std::filesystem::path& results_file);
bool IndexSuite(const std::filesystem::path& db, const nlohmann::json& suite_json,
                const std::filesystem::path& suite_file);
// A run that stopped before writing results.json (unreadable data, a split
// that cannot be made): indexed with status "failed" and the error.
bool IndexFailedRun(const std::filesystem::path& db, const std::string& name,
                    const std::filesystem::path& file, const std::string& error);
bool IndexComparison(const std::filesystem::path& db, const nlohmann::json& a, const nlohmann::json& b);

// Rebuilds the database from every results.json and suite.json under the
// `roots` (recursively): written to a temporary file, then renamed over
// `db`. Returns the number of documents indexed. Throws Error when the
// database cannot be written.
size_t RebuildHistory(const std::filesystem::path& db, const std::vector<std::filesystem::path>& roots);

struct HistoryQuery {
  std::string experiment;    // runs.name; "" = any
  std::string arm;           // "" = any
  std::string metric;        // "" = each run's primary metric
  std::string kind = "run";  // run | suite | comparison | "" (all)
  int limit = 200;           // newest first
};

// {"runs": [...], "series": [{"experiment", "arm", "metric", "points": [{"run_id",
// "started_at", "version", "plugin", "mean", "ci_low", "ci_high"}]}]},
// runs newest first, points oldest first. Throws Error for a missing or
// unreadable database.
nlohmann::json QueryHistory(const std::filesystem::path& db, const HistoryQuery& query);

std::string RenderHistoryTable(const nlohmann::json& history);
std::string RenderHistoryHtml(const nlohmann::json& history);

// An SVG line chart of one series (a metric of an arm over time), one
// colour per plugin version, intervals as whiskers.
std::string HistoryChartSvg(const nlohmann::json& series);

// The results.json of run id `ref` (or a unique prefix of at least 4
// characters) from the database. Throws Error when unknown or ambiguous.
std::filesystem::path ResolveRunId(const std::filesystem::path& db, const std::string& ref);

}  // namespace reclift::host::history
