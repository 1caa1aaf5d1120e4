#include "runner/trec.h"

#include <algorithm>
#include <cctype>

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

std::string TrecQrels(const Dataset& data, const CellData& cell, bool graded) {
  std::string out;
  for (const UserTest& ut : cell.users) {
    if (ut.relevant.empty()) continue;
    const std::string user = Token(data.user_ids[ut.user]);
    for (size_t j = 0; j < ut.items.size(); ++j) {
      const auto it = std::lower_bound(ut.relevant.begin(), ut.relevant.end(), ut.items[j]);
      double rel = 0;
      if (it != ut.relevant.end() && *it == ut.items[j]) {
        rel = graded ? ut.gains[static_cast<size_t>(it - ut.relevant.begin())] : 1.0;
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

}  // namespace reclift::host
