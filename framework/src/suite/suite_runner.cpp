#include "suite/suite_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <set>

#include "runner/runner.h"
#include "suite/cross_stats.h"
#include "util/error.h"
#include "util/text.h"

namespace fs = std::filesystem;
using Json = nlohmann::json;

namespace reclift::host::suite {
namespace {

std::string UtcStamp(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

struct OnlyFilter {
  std::string dataset;  // "*" = any
  std::string arm;      // "" = every arm
};

OnlyFilter ParseOnly(const std::string& text) {
  const size_t slash = text.find('/');
  OnlyFilter f{text.substr(0, slash), slash == std::string::npos ? "" : text.substr(slash + 1)};
  if (f.dataset.empty() || (slash != std::string::npos && f.arm.empty())) {
    throw Error("--only: expected dataset, dataset/arm or */arm, found '" + text + "'");
  }
  return f;
}

bool ArmMatches(const std::string& arm, const std::string& pattern) {
  return arm == pattern || arm.starts_with(pattern + "[");
}

Json ReadJsonFile(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return nullptr;
  try {
    return Json::parse(in);
  } catch (const Json::exception&) {
    return nullptr;
  }
}

double NumberOr(const Json& j, const char* key) {
  if (!j.is_object()) return NAN;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : NAN;
}

Json Num(double x) {
  return std::isfinite(x) ? Json(x) : Json(nullptr);
}

// The overall (unsegmented) comparison row of `arm` on `metric`, or null.
const Json* OverallComparison(const Json& results, const std::string& arm, const std::string& metric) {
  const Json* rows = nullptr;
  if (auto ab = results.find("ab"); ab != results.end() && ab->is_object()) {
    if (auto c = ab->find("comparisons"); c != ab->end() && c->is_array()) rows = &*c;
  }
  if (rows == nullptr) return nullptr;
  for (const Json& row : *rows) {
    if (row.value("treatment", "") == arm && row.value("metric", "") == metric &&
        (!row.contains("profiler") || row["profiler"].is_null()) &&
        (!row.contains("segment") || row["segment"].is_null())) {
      return &row;
    }
  }
  return nullptr;
}

}  // namespace

void PrepareSuite(SuiteSpec& suite, const PluginCatalog& catalog, const std::vector<std::string>& only) {
  std::vector<OnlyFilter> filters;
  for (const auto& o : only) filters.push_back(ParseOnly(o));
  if (!filters.empty()) {
    std::vector<SuiteMember> kept;
    for (auto& m : suite.members) {
      std::vector<std::string> arms;  // the arm patterns selecting in this member; "" = all
      bool selected = false;
      for (const auto& f : filters) {
        if (f.dataset != "*" && f.dataset != m.label && f.dataset != m.name) continue;
        selected = true;
        arms.push_back(f.arm);
      }
      if (!selected) continue;
      const bool all_arms = std::find(arms.begin(), arms.end(), "") != arms.end();
      if (m.spec && !all_arms) {
        ExperimentSpec& spec = *m.spec;
        const std::string control = spec.ab.control.empty() ? spec.arms.front().name : spec.ab.control;
        if (!spec.ab.weights.empty()) {
          m.error = "--only cannot drop arms of " + m.name + ": its [ab] weights are given per arm";
        } else {
          std::erase_if(spec.arms, [&](const ArmSpec& a) {
            if (a.name == control) return false;
            return std::none_of(arms.begin(), arms.end(),
                                [&](const std::string& p) { return ArmMatches(a.name, p); });
          });
          if (spec.arms.size() < 2) {
            m.error = "--only " + Join(only, " ") + " leaves no arm but the control in " + m.name;
          }
        }
      }
      kept.push_back(std::move(m));
    }
    if (kept.empty()) throw Error("--only " + Join(only, " ") + " selects no member of the suite");
    suite.members = std::move(kept);
  }
  for (auto& m : suite.members) {
    if (!m.spec || !m.error.empty()) continue;
    try {
      CheckPlugins(*m.spec, catalog);
      CheckFiles(*m.spec);
    } catch (const Error& e) {
      m.error = e.what();
    }
  }
}

Json BuildSuiteJson(const SuiteSpec& suite, const std::vector<MemberOutcome>& members,
                    const std::vector<Json>& results) {
  Json out;
  out["schema_version"] = 1;
  out["kind"] = "reclift-suite";
  out["suite"] = {{"name", suite.name},
                  {"description", suite.description},
                  {"file", suite.source_file.string()},
                  {"file_hash", suite.file_hash}};
  // the primary metric: the suite's, else the first ok member's
  std::string primary = suite.primary_metric;
  std::vector<std::string> warnings;
  for (size_t i = 0; i < members.size() && primary.empty(); ++i) {
    if (results[i].is_object()) primary = results[i]["ab"].value("primary_metric", "");
  }
  bool higher_is_better = true, directional = true;
  std::vector<std::string> arms;  // in order of first appearance
  for (const Json& r : results) {
    if (!r.is_object()) continue;
    for (const Json& a : r.value("arms", Json::array())) {
      const std::string name = a.value("name", "");
      if (std::find(arms.begin(), arms.end(), name) == arms.end()) arms.push_back(name);
    }
  }
  std::string control;
  Json members_json = Json::array(), table = Json::array();
  std::vector<std::string> datasets;
  std::vector<std::vector<double>> scores;
  std::vector<Json> verdicts;  // [ok member] arm -> verdict
  bool found_column = false;
  for (size_t i = 0; i < members.size(); ++i) {
    const MemberOutcome& m = members[i];
    Json mj = {{"name", m.name},
               {"dataset", m.label},
               {"status", m.status},
               {"error", m.error.empty() ? Json(nullptr) : Json(m.error)},
               {"run_dir", m.run_dir.string()},
               {"results_file", m.results_file.string()},
               {"failed_arms", m.failed_arms}};
    const Json& r = results[i];
    if (r.is_object()) {
      mj["dataset_fingerprint"] = r["dataset"].value("fingerprint", "");
      mj["dataset_name"] = r["dataset"].value("name", "");
      mj["users"] = r["dataset"].value("users", 0);
      mj["items"] = r["dataset"].value("items", 0);
      mj["interactions"] = r["dataset"].value("interactions", 0);
      mj["split"] = r["split"].value("method", "");
      const std::string member_control = r["ab"].value("control", "");
      if (control.empty()) control = member_control;
      if (member_control != control) {
        warnings.push_back(m.name + ": its control is " + member_control + ", not " + control +
                           "; its verdicts compare against " + member_control);
      }
      bool has_column = false;
      for (const Json& c : r.value("columns", Json::array())) {
        if (c.value("name", "") != primary) continue;
        has_column = true;
        if (!found_column) {
          higher_is_better = c.value("higher_is_better", true);
          directional = c.value("directional", true);
          found_column = true;
        }
      }
      if (!has_column) {
        warnings.push_back(m.name + ": has no metric " + primary + "; left out of the statistics");
      } else {
        std::vector<double> row(arms.size(), NAN);
        Json v = Json::object();
        for (const Json& a : r.value("arms", Json::array())) {
          const std::string name = a.value("name", "");
          const size_t j = static_cast<size_t>(std::find(arms.begin(), arms.end(), name) - arms.begin());
          Json cell = {{"dataset", m.label}, {"arm", name}, {"status", a.value("status", "")}};
          const bool ok = a.value("status", "") == "ok";
          const Json metric = ok && a.contains("metrics") ? a["metrics"].value(primary, Json()) : Json();
          const double mean = NumberOr(metric, "mean");
          cell["mean"] = Num(mean);
          cell["ci_low"] = Num(NumberOr(metric, "ci_low"));
          cell["ci_high"] = Num(NumberOr(metric, "ci_high"));
          cell["plugin"] = a.value("plugin", Json());
          if (ok) row[j] = mean;
          if (!ok) cell["error"] = a.value("error", "");
          const Json* cmp = OverallComparison(r, name, primary);
          cell["verdict"] = cmp ? (*cmp).value("verdict", Json()) : Json();
          cell["p_adjusted"] = cmp ? (*cmp).value("p_value_adjusted", Json()) : Json();
          cell["lift"] = cmp ? (*cmp).value("lift", Json()) : Json();
          cell["is_control"] = name == member_control;
          if (cmp) v[name] = cell["verdict"];
          table.push_back(cell);
        }
        datasets.push_back(m.label);
        scores.push_back(row);
        verdicts.push_back(v);
      }
    }
    members_json.push_back(mj);
  }
  out["primary_metric"] = primary;
  out["higher_is_better"] = higher_is_better;
  out["directional"] = directional;
  out["alpha"] = suite.alpha;
  out["control"] = control;
  out["arms"] = arms;
  out["datasets"] = datasets;
  out["members"] = members_json;
  out["table"] = table;

  Json st;
  if (arms.size() >= 2 && !datasets.empty()) {
    CrossDatasetInput in{datasets, arms, scores, higher_is_better, suite.alpha};
    const CrossDatasetStats s = CompareAcrossDatasets(in);
    st["complete_datasets"] = s.complete_datasets;
    st["incomplete_datasets"] = s.incomplete_datasets;
    Json ranks = Json::object();
    for (size_t d = 0; d < s.complete_datasets.size(); ++d) {
      for (size_t a = 0; a < arms.size(); ++a) ranks[s.complete_datasets[d]][arms[a]] = s.ranks[d][a];
    }
    st["ranks"] = ranks;
    Json mean_ranks = Json::object();
    for (size_t a = 0; a < arms.size(); ++a) mean_ranks[arms[a]] = Num(s.mean_ranks[a]);
    st["mean_ranks"] = mean_ranks;
    st["omnibus_meaningful"] = s.omnibus_meaningful;
    st["omnibus_note"] = s.omnibus_note.empty() ? Json(nullptr) : Json(s.omnibus_note);
    st["friedman"] = {{"chi2", Num(s.friedman_chi2)},
                      {"chi2_tie_corrected", Num(s.friedman_chi2_tie_corrected)},
                      {"df", s.friedman_df},
                      {"p_value", Num(s.friedman_p)}};
    // F is infinite when every dataset ranks the arms alike (JSON has no infinity)
    st["iman_davenport"] = {{"f", std::isinf(s.iman_davenport_f) ? Json("inf") : Num(s.iman_davenport_f)},
                            {"df1", s.iman_davenport_df1},
                            {"df2", s.iman_davenport_df2},
                            {"p_value", Num(s.iman_davenport_p)}};
    st["nemenyi"] = {{"alpha", suite.alpha},
                     {"q_alpha", Num(s.q_alpha)},
                     {"critical_difference", Num(s.critical_difference)},
                     {"source", "Demsar (2006) Table 5(a) for k <= 10; scipy studentized_range for 11..30"}};
    Json pairs = Json::array();
    for (const auto& p : s.pairwise) {
      pairs.push_back({{"a", arms[p.a]},
                       {"b", arms[p.b]},
                       {"statistic", p.statistic},
                       {"n", p.n},
                       {"a_better", p.a_better},
                       {"b_better", p.b_better},
                       {"p_value", Num(p.p_value)},
                       {"p_adjusted", Num(p.p_adjusted)},
                       {"significant", p.significant}});
    }
    st["wilcoxon_holm"] = pairs;
  } else {
    st["omnibus_meaningful"] = false;
    st["omnibus_note"] = "omnibus test not meaningful: needs at least 2 arms and 3 datasets with results";
  }
  // win / tie / loss against the control: a win is a significant "better" verdict
  Json wtl = Json::object();
  for (const auto& arm : arms) {
    if (arm == control) continue;
    int win = 0, tie = 0, loss = 0;
    for (const Json& v : verdicts) {
      if (!v.contains(arm) || !v[arm].is_string()) continue;
      const std::string verdict = v[arm];
      (verdict == "better" ? win : verdict == "worse" ? loss : tie) += 1;
    }
    wtl[arm] = {{"win", win}, {"tie", tie}, {"loss", loss}};
  }
  st["win_tie_loss"] = wtl;
  out["statistics"] = st;
  out["warnings"] = warnings;
  return out;
}

SuiteOutcome RunSuite(const SuiteSpec& suite, const PluginRegistry& registry, const SuiteOptions& options) {
  SuiteOutcome outcome;
  const auto start = std::chrono::steady_clock::now();
  const std::string started_at = UtcStamp("%Y-%m-%dT%H:%M:%SZ");
  if (!options.resume.empty()) {
    if (!fs::is_directory(options.resume)) {
      throw Error("--resume " + options.resume.string() + ": not a suite folder (no such directory)");
    }
    outcome.suite_dir = options.resume;
  } else {
    const fs::path root = options.output.empty() ? suite.output : options.output;
    const std::string stamp = UtcStamp("%Y%m%d-%H%M%S");
    outcome.suite_dir = root / stamp;
    for (int n = 2; fs::exists(outcome.suite_dir); ++n)
      outcome.suite_dir = root / (stamp + "-" + std::to_string(n));
  }
  std::error_code ec;
  fs::create_directories(outcome.suite_dir, ec);
  if (ec) throw Error("cannot create the suite folder " + outcome.suite_dir.string() + ": " + ec.message());

  std::vector<Json> results;
  for (const auto& m : suite.members) {
    MemberOutcome mo;
    mo.name = m.name;
    mo.label = m.label;
    mo.run_dir = outcome.suite_dir / m.name;
    Json r;
    if (!m.spec || !m.error.empty()) {
      mo.status = "failed";
      mo.error = m.error;
      spdlog::error("suite member {} failed: {}", m.name, m.error);
    } else {
      const fs::path results_file = mo.run_dir / "results.json";
      if (!options.resume.empty()) {
        Json previous = ReadJsonFile(results_file);
        if (previous.is_object() && previous.value("schema_version", 0) == 1 && previous.contains("config") &&
            previous["config"] == m.spec->resolved && previous.contains("arms")) {
          mo.status = "reused";
          mo.results_file = results_file;
          for (const Json& a : previous["arms"]) mo.failed_arms += a.value("status", "") == "ok" ? 0 : 1;
          r = std::move(previous);
          spdlog::info("suite member {}: reused {}", m.name, results_file.string());
        }
      }
      if (mo.status.empty()) {
        spdlog::info("suite member {}: running", m.name);
        RunOptions ro;
        ro.threads = options.threads;
        ro.progress = options.progress;
        ro.run_dir = mo.run_dir;
        if (!options.resume.empty() && fs::is_directory(mo.run_dir)) ro.resume = mo.run_dir;
        try {
          RunOutcome run = RunExperiment(*m.spec, registry, ro);
          mo.results_file = run.results_file;
          mo.failed_arms = run.failed_arms;
          if (run.failed_arms == static_cast<int>(m.spec->arms.size())) {
            mo.status = "failed";
            mo.error = "every arm failed; see " + run.results_file.string();
          } else {
            mo.status = "ok";
            r = std::move(run.results);
          }
        } catch (const std::exception& e) {
          mo.status = "failed";
          mo.error = e.what();
        }
        if (mo.status == "failed") spdlog::error("suite member {} failed: {}", m.name, mo.error);
      }
    }
    if (!fs::exists(mo.run_dir)) mo.run_dir.clear();  // failed before it wrote anything
    // the suite keeps only what its report needs, not every member's per-user values
    if (r.is_object()) r.erase("per_user");
    outcome.failed_members += mo.status == "failed" ? 1 : 0;
    results.push_back(std::move(r));
    outcome.members.push_back(std::move(mo));
  }
  outcome.suite = BuildSuiteJson(suite, outcome.members, results);
  outcome.suite["suite"]["started_at"] = started_at;
  outcome.suite["suite"]["suite_dir"] = outcome.suite_dir.string();
  outcome.suite["suite"]["seconds"] =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  outcome.suite["suite"]["overrides"] = Json::array();
  for (const auto& o : suite.overrides) outcome.suite["suite"]["overrides"].push_back(o.key + "=" + o.value);
  std::vector<std::string> formats = options.formats;
  if (std::find(formats.begin(), formats.end(), "json") == formats.end()) formats.push_back("json");
  outcome.reports = WriteSuiteReports(outcome.suite, outcome.suite_dir, formats);
  outcome.suite_json = outcome.suite_dir / "suite.json";
  return outcome;
}

}  // namespace reclift::host::suite
