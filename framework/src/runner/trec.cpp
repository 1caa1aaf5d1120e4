#include "runner/trec.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

namespace reclift::host {
namespace {

std::string Token(const std::string& id) {
  std::string t = id.empty() ? "_" : id;
  for (char& c : t) {
    if (std::isspace(static_cast<unsigned char>(c))) c = '_';
  }
  return t;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

double TrecGainScale(const CellData& cell) {
  // trec_eval reads a relevance as an integer (atol): 4.5 would become 4.
  // nDCG with linear gains is unchanged when every gain is multiplied by the
  // same factor, so the graded file uses the smallest factor that makes every
  // gain whole (2 for half stars), 1000 and rounding when none does.
  constexpr double kFactors[] = {1, 2, 4, 5, 10, 20, 50, 100, 1000};
  for (double m : kFactors) {
    bool whole = true;
    for (const UserTest& ut : cell.users) {
      for (float g : ut.gains) {
        const double x = g * m;
        whole = whole && std::abs(x - std::round(x)) <= 1e-6 * std::max(1.0, std::abs(x));
      }
    }
    if (whole) return m;
  }
  return 1000;
}

std::string TrecQrels(const Dataset& data, const CellData& cell, bool graded) {
  std::string out;
  const double scale = graded ? TrecGainScale(cell) : 1.0;
  for (const UserTest& ut : cell.users) {
    if (ut.relevant.empty()) continue;
    const std::string user = Token(data.user_ids[ut.user]);
    for (size_t j = 0; j < ut.items.size(); ++j) {
      const auto it = std::lower_bound(ut.relevant.begin(), ut.relevant.end(), ut.items[j]);
      double rel = 0;
      if (it != ut.relevant.end() && *it == ut.items[j]) {
        rel = graded ? std::round(ut.gains[static_cast<size_t>(it - ut.relevant.begin())] * scale) : 1.0;
      }
      out += user + " 0 " + Token(data.item_ids[ut.items[j]]) + " " + Number(rel) + "\n";
    }
  }
  return out;
}

std::string TrecRun(const Dataset& data, const CellData& cell,
                    const std::vector<std::vector<uint32_t>>& lists, const std::string& run_name) {
  std::string out;
  const std::string run = Token(run_name);
  for (size_t i = 0; i < cell.users.size(); ++i) {
    if (cell.users[i].relevant.empty()) continue;
    const std::string user = Token(data.user_ids[cell.users[i].user]);
    const size_t k = lists[i].size();
    for (size_t r = 0; r < k; ++r) {
      out += user + " Q0 " + Token(data.item_ids[lists[i][r]]) + " " + std::to_string(r + 1) + " " +
             std::to_string(k - r) + " " + run + "\n";
    }
  }
  return out;
}

std::string TrecReadme(const std::vector<int>& ks, const std::vector<std::string>& run_files, bool graded,
                       double gain_scale) {
  std::string measures;
  for (int k : ks) {
    const std::string c = std::to_string(k);
    measures +=
        " -m P." + c + " -m recall." + c + " -m ndcg_cut." + c + " -m map_cut." + c + " -m success." + c;
  }
  std::string out =
      "Cross-check of the ranking metrics with trec_eval (https://github.com/usnistgov/trec_eval).\n"
      "Run from this folder, for each run file:\n\n";
  for (const std::string& run : run_files) {
    out += "  trec_eval -c" + measures + " -m recip_rank qrels.txt " + run + "\n";
  }
  out +=
      "\n-c averages over every user of qrels.txt (users with at least one relevant test item), as\n"
      "reclift does: a user whose list is empty scores 0 instead of being left out.\n"
      "recip_rank has no cut-off: it equals mrr@K for the largest K (the runs are K long).\n";
  if (graded) {
    out +=
        "\nGraded nDCG (gain = \"graded\"): use qrels-graded.txt for ndcg_cut. Its relevances are the test\n"
        "ratings";
    if (gain_scale != 1) {
      char buf[64];
      std::snprintf(buf, sizeof buf, " times %g", gain_scale);
      out += std::string(buf) +
             " (trec_eval reads whole numbers; nDCG does not change when every gain is\n"
             "scaled by the same factor)";
    }
    out += ".\n";
  }
  out +=
      "\nThe mapping of each reclift metric to its trec_eval measure, and where conventions differ, is in\n"
      "plugins/evaluators/ranking/README.md of the reclift sources.\n";
  return out;
}

}  // namespace reclift::host
