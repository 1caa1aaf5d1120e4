#include "history/history.h"

#include <spdlog/spdlog.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

#include "data/hash.h"
#include "report/format.h"
#include "report/html.h"
#include "util/error.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace reclift::host::history {
namespace {

constexpr int kSchemaVersion = 1;
constexpr int kBusyTimeoutMs = 10000;  // $RECLIFT_DB_TIMEOUT_MS overrides

int BusyTimeoutMs() {
  if (const char* env = std::getenv("RECLIFT_DB_TIMEOUT_MS"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    const long ms = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && ms >= 0 && ms <= 3600000) return static_cast<int>(ms);
  }
  return kBusyTimeoutMs;
}

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS runs(
  run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, started_at TEXT, indexed_at TEXT, name TEXT,
  file TEXT, file_hash TEXT, run_dir TEXT, results_file TEXT, dataset_name TEXT,
  dataset_fingerprint TEXT, split TEXT, status TEXT, failures TEXT, seconds REAL, details TEXT);
CREATE TABLE IF NOT EXISTS arms(
  run_id TEXT NOT NULL, arm TEXT NOT NULL, plugin TEXT, recommender TEXT, version TEXT, params TEXT,
  status TEXT, error TEXT, fit_seconds REAL, eval_seconds REAL, peak_rss_bytes INTEGER,
  PRIMARY KEY(run_id, arm));
CREATE TABLE IF NOT EXISTS metrics(
  run_id TEXT NOT NULL, arm TEXT NOT NULL, metric TEXT NOT NULL, mean REAL, ci_low REAL, ci_high REAL,
  n INTEGER, PRIMARY KEY(run_id, arm, metric));
CREATE INDEX IF NOT EXISTS runs_by_name ON runs(name, started_at);
CREATE INDEX IF NOT EXISTS metrics_by_arm ON metrics(arm, metric);
)sql";

std::string Hex(uint64_t h, int digits) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return std::string(buf).substr(0, static_cast<size_t>(digits));
}

std::string IdOf(const std::string& a, const std::string& b) {
  const std::string key = a + "\n" + b;
  return Hex(Hash64(key.data(), key.size(), 0x5157), 12);
}

std::string UtcNow() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string S(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
double D(const Json& j, const char* key) {
  if (!j.is_object()) return NAN;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

// A database connection; every failure throws Error naming the file.
class Db {
 public:
  Db(const fs::path& path, bool create) : path_(path) {
    if (create && !path.parent_path().empty()) {
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
    }
    if (!create && !fs::exists(path)) {
      throw Error("history database " + path.string() +
                  " not found (runs are indexed as they finish; "
                  "`reclift history --rebuild` indexes existing run folders)");
    }
    const int flags = create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
    try {
      // sqlite3_open_v2 gives a handle even when it fails: it must be closed
      if (sqlite3_open_v2(path.string().c_str(), &db_, flags, nullptr) != SQLITE_OK) Fail("cannot open");
      sqlite3_busy_timeout(db_, BusyTimeoutMs());
      if (create) {
        Exec("PRAGMA journal_mode=WAL");
        Exec(kSchema);
        Exec("INSERT OR IGNORE INTO meta VALUES('schema_version', '" + std::to_string(kSchemaVersion) + "')");
      } else {
        Exec("SELECT count(*) FROM runs");  // a foreign or corrupt file fails here, clearly
      }
    } catch (...) {
      sqlite3_close(db_);  // the destructor does not run for a constructor that throws
      db_ = nullptr;
      throw;
    }
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  [[noreturn]] void Fail(const std::string& what) const {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    throw Error("history database " + path_.string() + ": " + what + ": " + message);
  }
  void Exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string message = err != nullptr ? err : sqlite3_errmsg(db_);
      sqlite3_free(err);
      throw Error("history database " + path_.string() + ": " + message);
    }
  }
  sqlite3* get() const { return db_; }

 private:
  fs::path path_;
  sqlite3* db_ = nullptr;
};

// A prepared statement with positional binds (1-based, in call order).
class Stmt {
 public:
  Stmt(Db& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql, -1, &st_, nullptr) != SQLITE_OK)
      db.Fail("cannot prepare a statement");
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt& Text(const std::string& s) {
    sqlite3_bind_text(st_, ++i_, s.c_str(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Real(double x) {
    if (std::isfinite(x)) {
      sqlite3_bind_double(st_, ++i_, x);
    } else {
      sqlite3_bind_null(st_, ++i_);
    }
    return *this;
  }
  Stmt& Int(int64_t x) {
    sqlite3_bind_int64(st_, ++i_, x);
    return *this;
  }
  void Run() {
    if (sqlite3_step(st_) != SQLITE_DONE) db_.Fail("cannot write");
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
    i_ = 0;
  }
  bool Next() {
    const int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.Fail("cannot read");
    return false;
  }
  std::string ColText(int c) const {
    const unsigned char* t = sqlite3_column_text(st_, c);
    return t != nullptr ? reinterpret_cast<const char*>(t) : "";
  }
  Json ColReal(int c) const {
    return sqlite3_column_type(st_, c) == SQLITE_NULL ? Json(nullptr) : Json(sqlite3_column_double(st_, c));
  }

 private:
  Db& db_;
  sqlite3_stmt* st_ = nullptr;
  int i_ = 0;
};

void DeleteRun(Db& db, const std::string& id) {
  for (const char* sql : {"DELETE FROM runs WHERE run_id = ?", "DELETE FROM arms WHERE run_id = ?",
                          "DELETE FROM metrics WHERE run_id = ?"}) {
    Stmt(db, sql).Text(id).Run();
  }
}

void InsertRunRow(Db& db, const std::string& id, const std::string& kind, const std::string& started_at,
                  const std::string& name, const std::string& file, const std::string& file_hash,
                  const std::string& run_dir, const std::string& results_file, const Json& dataset,
                  const Json& split, const std::string& status, const Json& failures, double seconds,
                  const Json& details) {
  Stmt(db, "INSERT INTO runs VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      .Text(id)
      .Text(kind)
      .Text(started_at)
      .Text(UtcNow())
      .Text(name)
      .Text(file)
      .Text(file_hash)
      .Text(run_dir)
      .Text(results_file)
      .Text(S(dataset, "name"))
      .Text(S(dataset, "fingerprint"))
      .Text(split.dump())
      .Text(status)
      .Text(failures.dump())
      .Real(seconds)
      .Text(details.dump())
      .Run();
}

std::string FileHash(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return "";
  std::ostringstream s;
  s << in.rdbuf();
  const std::string text = s.str();
  return Hex(Hash64(text.data(), text.size()), 16);
}

void WriteRun(Db& db, const Json& results, const fs::path& results_file) {
  const std::string id = RunId(results);
  const Json& exp = results["experiment"];
  Json failures = Json::array();
  int ok = 0, total = 0;
  // versions from the resolved config, for arms that failed before reporting a plugin
  std::map<std::string, std::string> config_versions;
  if (results.contains("config") && results["config"].contains("arms")) {
    for (const Json& a : results["config"]["arms"]) {
      if (a.is_object() && a.contains("recommender") && a["recommender"].is_object()) {
        config_versions[S(a, "name")] = S(a["recommender"], "version");
      }
    }
  }
  Db* d = &db;
  d->Exec("BEGIN IMMEDIATE");
  try {
    DeleteRun(db, id);
    Stmt arm_row(db, "INSERT INTO arms VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    Stmt metric_row(db, "INSERT INTO metrics VALUES(?,?,?,?,?,?,?)");
    for (const Json& a : results.value("arms", Json::array())) {
      ++total;
      const std::string arm = S(a, "name"), status = S(a, "status");
      if (status == "ok") {
        ++ok;
      } else {
        failures.push_back({{"arm", arm}, {"error", S(a, "error")}});
      }
      std::string plugin = S(a, "plugin"), version;
      if (const size_t at = plugin.rfind('@'); at != std::string::npos) version = plugin.substr(at + 1);
      if (version.empty() && config_versions.count(arm)) version = config_versions[arm];
      if (plugin.empty()) plugin = S(a, "recommender") + (version.empty() ? "" : "@" + version);
      const double rss = D(a, "peak_rss_bytes");
      arm_row.Text(id)
          .Text(arm)
          .Text(plugin)
          .Text(S(a, "recommender"))
          .Text(version)
          .Text(a.value("params", Json::object()).dump())
          .Text(status)
          .Text(S(a, "error"))
          .Real(D(a, "fit_seconds"))
          .Real(D(a, "eval_seconds"))
          .Int(std::isfinite(rss) ? static_cast<int64_t>(rss) : 0)
          .Run();
      const Json metrics = a.value("metrics", Json::object());
      for (const auto& [metric, m] : metrics.items()) {
        const double n = D(m, "n");
        metric_row.Text(id)
            .Text(arm)
            .Text(metric)
            .Real(D(m, "mean"))
            .Real(D(m, "ci_low"))
            .Real(D(m, "ci_high"))
            .Int(std::isfinite(n) ? static_cast<int64_t>(n) : 0)
            .Run();
      }
    }
    const std::string status = total > 0 && ok == total ? "ok" : ok > 0 ? "partial" : "failed";
    const std::string file = S(exp, "file");
    Json details = {{"primary_metric", S(results.value("ab", Json::object()), "primary_metric")},
                    {"control", S(results.value("ab", Json::object()), "control")},
                    {"reclift_version", S(results, "reclift_version")},
                    {"seed", exp.value("seed", Json())}};
    InsertRunRow(db, id, "run", S(exp, "started_at"), S(exp, "name"), file, FileHash(file), S(exp, "run_dir"),
                 fs::absolute(results_file).lexically_normal().string(),
                 results.value("dataset", Json::object()), results.value("split", Json::object()), status,
                 failures, D(exp, "seconds"), details);
    db.Exec("COMMIT");
  } catch (...) {
    try {
      db.Exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

void WriteSuite(Db& db, const Json& suite, const fs::path& suite_file) {
  const std::string id = SuiteId(suite);
  const Json& s = suite["suite"];
  Json failures = Json::array();
  int ok = 0, total = 0;
  for (const Json& m : suite.value("members", Json::array())) {
    ++total;
    if (S(m, "status") == "failed") {
      failures.push_back({{"member", S(m, "name")}, {"error", S(m, "error")}});
    } else {
      ++ok;
    }
  }
  db.Exec("BEGIN IMMEDIATE");
  try {
    DeleteRun(db, id);
    const std::string status = total > 0 && ok == total ? "ok" : ok > 0 ? "partial" : "failed";
    Json details = {
        {"primary_metric", S(suite, "primary_metric")},
        {"datasets", suite.value("datasets", Json::array())},
        {"mean_ranks", suite.value("statistics", Json::object()).value("mean_ranks", Json::object())}};
    InsertRunRow(db, id, "suite", S(s, "started_at"), S(s, "name"), S(s, "file"), S(s, "file_hash"),
                 S(s, "suite_dir"), fs::absolute(suite_file).lexically_normal().string(), Json::object(),
                 Json::object(), status, failures, D(s, "seconds"), details);
    db.Exec("COMMIT");
  } catch (...) {
    try {
      db.Exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
}

template <class F>
bool Guarded(const fs::path& db, const char* what, F&& f) {
  try {
    Db d(db, true);
    f(d);
    return true;
  } catch (const std::exception& e) {
    spdlog::warn(
        "{} not indexed in the history: {} (the run itself is fine; `reclift history --rebuild` "
        "rebuilds the index from the run folders)",
        what, e.what());
    return false;
  }
}

}  // namespace

fs::path DefaultDatabase() {
  if (const char* env = std::getenv("RECLIFT_DB"); env != nullptr && *env != '\0') return env;
  return fs::path("reports") / "reclift.db";
}

std::string RunId(const Json& results) {
  const Json& exp = results.value("experiment", Json::object());
  return IdOf(S(exp, "run_dir"), S(exp, "started_at"));
}

std::string SuiteId(const Json& suite_json) {
  const Json& s = suite_json.value("suite", Json::object());
  return IdOf("suite:" + S(s, "suite_dir"), S(s, "started_at"));
}

bool IndexRun(const fs::path& db, const Json& results, const fs::path& results_file) {
  return Guarded(db, "run", [&](Db& d) { WriteRun(d, results, results_file); });
}

bool IndexSuite(const fs::path& db, const Json& suite_json, const fs::path& suite_file) {
  return Guarded(db, "suite", [&](Db& d) { WriteSuite(d, suite_json, suite_file); });
}

bool IndexFailedRun(const fs::path& db, const std::string& name, const fs::path& file,
                    const std::string& error) {
  return Guarded(db, "failed run", [&](Db& d) {
    const std::string now = UtcNow(), path = fs::absolute(file).lexically_normal().string();
    const std::string id = IdOf("failed:" + path, now);
    d.Exec("BEGIN IMMEDIATE");
    DeleteRun(d, id);
    InsertRunRow(d, id, "run", now, name, path, FileHash(path), "", "", Json::object(), Json::object(),
                 "failed", Json::array({Json{{"error", error}}}), NAN, Json::object());
    d.Exec("COMMIT");
  });
}

bool IndexComparison(const fs::path& db, const Json& a, const Json& b) {
  return Guarded(db, "comparison", [&](Db& d) {
    const std::string ia = RunId(a), ib = RunId(b), now = UtcNow();
    const std::string id = IdOf("compare:" + ia + ":" + ib, now);
    d.Exec("BEGIN IMMEDIATE");
    const std::string name = S(a["experiment"], "name") + " vs " + S(b["experiment"], "name");
    InsertRunRow(d, id, "comparison", now, name, "", "", "", "", Json::object(), Json::object(), "ok",
                 Json::array(), NAN, Json{{"baseline", ia}, {"new", ib}});
    d.Exec("COMMIT");
  });
}

size_t RebuildHistory(const fs::path& db, const std::vector<fs::path>& roots) {
  const fs::path tmp = db.string() + ".tmp-" + std::to_string(::getpid());
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(tmp.string() + suffix);
  size_t count = 0;
  {
    Db d(tmp, true);
    for (const auto& root : roots) {
      std::error_code ec;
      if (!fs::is_directory(root, ec)) continue;
      for (auto it =
               fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const auto name = it->path().filename();
        if (name != "results.json" && name != "suite.json") continue;
        std::ifstream in(it->path());
        Json doc;
        try {
          doc = Json::parse(in);
        } catch (const Json::exception&) {
          spdlog::warn("history rebuild: {} is not valid JSON; skipped", it->path().string());
          continue;
        }
        if (!doc.is_object() || doc.value("schema_version", 0) != 1) continue;
        if (name == "suite.json" && S(doc, "kind") == "reclift-suite") {
          WriteSuite(d, doc, it->path());
        } else if (name == "results.json" && doc.contains("experiment")) {
          WriteRun(d, doc, it->path());
        } else {
          continue;
        }
        ++count;
      }
    }
    d.Exec("PRAGMA wal_checkpoint(TRUNCATE)");
    d.Exec("PRAGMA journal_mode=DELETE");
  }
  std::error_code ec;
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db.string() + suffix, ec);
  fs::rename(tmp, db, ec);
  if (ec) throw Error("history rebuild: cannot replace " + db.string() + ": " + ec.message());
  return count;
}

Json QueryHistory(const fs::path& path, const HistoryQuery& q) {
  Db db(path, false);
  Json out;
  out["database"] = path.string();
  out["query"] = {{"experiment", q.experiment}, {"arm", q.arm}, {"metric", q.metric}, {"kind", q.kind}};
  Json runs = Json::array();
  {
    Stmt st(db,
            "SELECT run_id, kind, started_at, name, dataset_name, dataset_fingerprint, status, seconds, "
            "run_dir, results_file, file_hash, failures, details FROM runs "
            "WHERE (?1 = '' OR name = ?1) AND (?2 = '' OR kind = ?2) "
            "AND (?3 = '' OR run_id IN (SELECT run_id FROM arms WHERE arm = ?3)) "
            "ORDER BY started_at DESC, rowid DESC LIMIT ?4");
    st.Text(q.experiment).Text(q.kind).Text(q.arm).Int(q.limit);
    while (st.Next()) {
      Json r = {{"run_id", st.ColText(0)},     {"kind", st.ColText(1)},
                {"started_at", st.ColText(2)}, {"name", st.ColText(3)},
                {"dataset", st.ColText(4)},    {"dataset_fingerprint", st.ColText(5)},
                {"status", st.ColText(6)},     {"seconds", st.ColReal(7)},
                {"run_dir", st.ColText(8)},    {"results_file", st.ColText(9)},
                {"file_hash", st.ColText(10)}};
      r["failures"] = Json::parse(st.ColText(11), nullptr, false);
      r["details"] = Json::parse(st.ColText(12), nullptr, false);
      runs.push_back(std::move(r));
    }
  }
  // series: (experiment, arm, metric) over time, so one line never mixes
  // datasets; the metric defaults to each run's primary metric
  using Key = std::tuple<std::string, std::string, std::string>;
  std::map<Key, Json> series;
  std::vector<Key> order;
  for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
    const Json& r = *it;
    if (r["kind"] != "run") continue;
    const std::string metric =
        !q.metric.empty() ? q.metric : (r["details"].is_object() ? S(r["details"], "primary_metric") : "");
    if (metric.empty()) continue;
    Stmt st(db,
            "SELECT a.arm, a.plugin, a.version, m.mean, m.ci_low, m.ci_high FROM arms a JOIN metrics m "
            "ON a.run_id = m.run_id AND a.arm = m.arm WHERE a.run_id = ?1 AND m.metric = ?2 "
            "AND (?3 = '' OR a.arm = ?3) ORDER BY a.rowid");
    st.Text(r["run_id"]).Text(metric).Text(q.arm);
    while (st.Next()) {
      const Key key{r["name"].get<std::string>(), st.ColText(0), metric};
      if (!series.count(key)) {
        order.push_back(key);
        series[key] = {{"experiment", std::get<0>(key)},
                       {"arm", std::get<1>(key)},
                       {"metric", metric},
                       {"points", Json::array()}};
      }
      series[key]["points"].push_back({{"run_id", r["run_id"]},
                                       {"started_at", r["started_at"]},
                                       {"name", r["name"]},
                                       {"dataset", r["dataset"]},
                                       {"plugin", st.ColText(1)},
                                       {"version", st.ColText(2)},
                                       {"mean", st.ColReal(3)},
                                       {"ci_low", st.ColReal(4)},
                                       {"ci_high", st.ColReal(5)}});
    }
  }
  out["runs"] = runs;
  out["series"] = Json::array();
  for (const auto& key : order) out["series"].push_back(series[key]);
  return out;
}

fs::path ResolveRunId(const fs::path& path, const std::string& ref) {
  if (ref.size() < 4) throw Error("run id '" + ref + "': give at least 4 characters");
  Db db(path, false);
  Stmt st(db,
          "SELECT run_id, results_file FROM runs WHERE kind = 'run' AND substr(run_id, 1, length(?1)) = ?1");
  st.Text(ref);
  std::vector<std::pair<std::string, std::string>> hits;
  while (st.Next()) hits.emplace_back(st.ColText(0), st.ColText(1));
  if (hits.empty()) throw Error("no run with id '" + ref + "' in the history " + path.string());
  if (hits.size() > 1) {
    throw Error("run id '" + ref + "' is ambiguous in " + path.string() + ": " + hits[0].first + ", " +
                hits[1].first + (hits.size() > 2 ? ", ..." : ""));
  }
  return hits[0].second;
}

std::string RenderHistoryTable(const Json& h) {
  std::ostringstream s;
  auto metric_text = [](const Json& x) {
    return x.is_number() ? report::FormatMetric(x.get<double>()) : std::string("-");
  };
  s << "run id        started               kind   status   name / dataset\n";
  for (const Json& r : h["runs"]) {
    char line[512];
    std::snprintf(line, sizeof line, "%-13s %-21s %-6s %-8s %s%s\n", r.value("run_id", "").c_str(),
                  r.value("started_at", "").c_str(), r.value("kind", "").c_str(),
                  r.value("status", "").c_str(), r.value("name", "").c_str(),
                  r.value("dataset", "").empty() ? "" : (" / " + r.value("dataset", "")).c_str());
    s << line;
  }
  if (h["runs"].empty()) s << "(no runs match)\n";
  for (const Json& series : h["series"]) {
    s << "\n"
      << series.value("experiment", "") << " / " << series.value("arm", "") << "  "
      << series.value("metric", "") << "\n";
    for (const Json& p : series["points"]) {
      s << "  " << p.value("started_at", "") << "  " << p.value("run_id", "") << "  " << std::left;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%-24s", p.value("plugin", "").c_str());
      s << buf << metric_text(p["mean"]) << "  [" << metric_text(p["ci_low"]) << ", "
        << metric_text(p["ci_high"]) << "]\n";
    }
  }
  return s.str();
}

std::string HistoryChartSvg(const Json& series) {
  const Json& points = series["points"];
  const double width = 640, height = 260, left = 60, right = 150, top = 20, bottom = 40;
  double lo = INFINITY, hi = -INFINITY;
  for (const Json& p : points) {
    for (const char* k : {"mean", "ci_low", "ci_high"}) {
      if (p[k].is_number()) {
        lo = std::min(lo, p[k].get<double>());
        hi = std::max(hi, p[k].get<double>());
      }
    }
  }
  if (!std::isfinite(lo)) lo = 0, hi = 1;
  if (hi - lo < 1e-12) lo -= 0.5 * std::max(1e-6, std::abs(lo)), hi += 0.5 * std::max(1e-6, std::abs(hi));
  const size_t n = points.size();
  auto x_of = [&](size_t i) {
    const double inset = 20;  // keep the first and last points off the axes
    return n <= 1
               ? left + (width - left - right) / 2
               : left + inset +
                     static_cast<double>(i) / static_cast<double>(n - 1) * (width - left - right - 2 * inset);
  };
  auto y_of = [&](double v) { return top + (hi - v) / (hi - lo) * (height - top - bottom); };
  static const char* kColours[] = {"#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"};
  std::map<std::string, size_t> colour;
  std::ostringstream s;
  auto fx = [](double x) {
    char b[32];
    std::snprintf(b, sizeof b, "%.1f", x);
    return std::string(b);
  };
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"history-chart\" width=\"" << width << "\" height=\""
    << height << "\" viewBox=\"0 0 " << width << " " << height
    << "\" font-family=\"sans-serif\" font-size=\"11\" role=\"img\">\n<title>"
    << report::EscapeHtml(series.value("arm", "") + " " + series.value("metric", "") + " over time")
    << "</title>\n";
  s << "<line x1=\"" << left << "\" y1=\"" << height - bottom << "\" x2=\"" << width - right << "\" y2=\""
    << height - bottom << "\" stroke=\"#000\"/><line x1=\"" << left << "\" y1=\"" << top << "\" x2=\"" << left
    << "\" y2=\"" << height - bottom << "\" stroke=\"#000\"/>\n";
  for (double v : {lo, (lo + hi) / 2, hi}) {
    s << "<text x=\"" << left - 4 << "\" y=\"" << fx(y_of(v) + 4) << "\" text-anchor=\"end\">"
      << report::FormatMetric(v) << "</text>\n";
  }
  std::string path;
  for (size_t i = 0; i < n; ++i) {
    const Json& p = points[i];
    if (!p["mean"].is_number()) continue;
    path += (path.empty() ? "M" : " L") + fx(x_of(i)) + "," + fx(y_of(p["mean"].get<double>()));
  }
  if (!path.empty()) s << "<path d=\"" << path << "\" fill=\"none\" stroke=\"#888\"/>\n";
  for (size_t i = 0; i < n; ++i) {
    const Json& p = points[i];
    const std::string version = p.value("version", "");
    if (!colour.count(version)) colour[version] = colour.size();
    const char* c = kColours[colour[version] % 6];
    if (p["ci_low"].is_number() && p["ci_high"].is_number()) {
      s << "<line x1=\"" << fx(x_of(i)) << "\" y1=\"" << fx(y_of(p["ci_low"].get<double>())) << "\" x2=\""
        << fx(x_of(i)) << "\" y2=\"" << fx(y_of(p["ci_high"].get<double>())) << "\" stroke=\"" << c << "\"/>";
    }
    if (p["mean"].is_number()) {
      s << "<circle class=\"history-point\" cx=\"" << fx(x_of(i)) << "\" cy=\""
        << fx(y_of(p["mean"].get<double>())) << "\" r=\"4\" fill=\"" << c << "\"><title>"
        << report::EscapeHtml(p.value("started_at", "") + " " + p.value("run_id", "") + " " +
                              p.value("plugin", "") + ": " + report::FormatMetric(p["mean"].get<double>()))
        << "</title></circle>\n";
    }
    const size_t every = (n + 5) / 6;  // at most about 6 time labels
    if (i % every == 0) {
      std::string when = p.value("started_at", "");  // 2026-12-04T18:18:33Z -> 12-04 18:18
      when = when.size() >= 16 ? when.substr(5, 5) + " " + when.substr(11, 5) : when;
      s << "<text x=\"" << fx(x_of(i)) << "\" y=\"" << height - bottom + 14 << "\" text-anchor=\"middle\">"
        << report::EscapeHtml(when) << "</text>\n";
    }
  }
  double ly = top + 4;
  for (const auto& [version, index] : colour) {
    s << "<circle cx=\"" << width - right + 16 << "\" cy=\"" << fx(ly) << "\" r=\"4\" fill=\""
      << kColours[index % 6] << "\"/><text class=\"history-version\" x=\"" << width - right + 26 << "\" y=\""
      << fx(ly + 4) << "\">version " << report::EscapeHtml(version.empty() ? "?" : version) << "</text>\n";
    ly += 16;
  }
  s << "</svg>\n";
  return s.str();
}

std::string RenderHistoryHtml(const Json& h) {
  std::string out = report::HtmlPageStart("reclift history");
  out +=
      "<main class=\"wrap\">\n<h1>History</h1>\n<p>" + report::EscapeHtml(h.value("database", "")) + "</p>\n";
  for (const Json& series : h["series"]) {
    out += "<h2>" +
           report::EscapeHtml(series.value("experiment", "") + " / " + series.value("arm", "") + ": " +
                              series.value("metric", "")) +
           "</h2>\n";
    out += HistoryChartSvg(series);
  }
  out +=
      "<h2>Runs</h2>\n<table><thead><tr><th>run id</th><th>started</th><th>kind</th><th>status</th>"
      "<th>name</th><th>dataset</th><th>run folder</th></tr></thead><tbody>\n";
  for (const Json& r : h["runs"]) {
    out += "<tr><td><code>" + report::EscapeHtml(r.value("run_id", "")) + "</code></td><td>" +
           report::EscapeHtml(r.value("started_at", "")) + "</td><td>" +
           report::EscapeHtml(r.value("kind", "")) + "</td><td>" + report::EscapeHtml(r.value("status", "")) +
           "</td><td>" + report::EscapeHtml(r.value("name", "")) + "</td><td>" +
           report::EscapeHtml(r.value("dataset", "")) + "</td><td>" +
           report::EscapeHtml(r.value("run_dir", "")) + "</td></tr>\n";
  }
  out += "</tbody></table>\n</main>\n" + report::HtmlPageEnd();
  return out;
}

}  // namespace reclift::host::history
