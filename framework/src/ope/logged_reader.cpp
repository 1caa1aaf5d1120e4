#include "ope/logged_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "data/text_parse.h"
#include "util/error.h"

namespace reclift::host {
namespace fs = std::filesystem;
namespace {

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(SourceLocation{path.string()}, "cannot read the logged feedback file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool ParseNumber(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  const auto [end, error] = std::from_chars(s.data(), s.data() + s.size(), out);
  return error == std::errc() && end == s.data() + s.size() && !s.empty();
}

struct Row {
  std::string round, user, item;
  int64_t position = 1;
  double reward = 0, propensity = 0, prefix = NAN;
  int64_t timestamp = 0;
  uint64_t line = 0;
};

// Field positions in a header (or indices without one); -1 when unmapped.
class Columns {
 public:
  Columns(std::string path, const std::vector<std::string_view>& header, bool has_header)
      : path_(std::move(path)), header_(header.begin(), header.end()), has_header_(has_header) {}

  int Find(const std::string& column, const std::string& key, bool required) const {
    if (column.empty()) {
      if (required) throw Error(SourceLocation{path_, 1, 0}, key + ": no column given");
      return -1;
    }
    if (!has_header_) return std::stoi(column);
    for (size_t c = 0; c < header_.size(); ++c) {
      if (header_[c] == column) return static_cast<int>(c);
    }
    std::string names;
    for (const auto& h : header_) names += (names.empty() ? "" : ", ") + (h.empty() ? "(unnamed)" : h);
    throw Error(SourceLocation{path_, 1, 0},
                "missing column '" + column + "' (" + key + "); the header has: " + names);
  }
  const std::vector<std::string>& header() const { return header_; }

 private:
  std::string path_;
  std::vector<std::string> header_;
  bool has_header_;
};

int ColumnOf(std::string_view record, std::string_view field) {
  if (field.data() >= record.data() && field.data() <= record.data() + record.size()) {
    return static_cast<int>(field.data() - record.data()) + 1;
  }
  return 0;
}

struct Parsed {
  std::vector<Row> rows;
  uint32_t max_position = 0;
  bool has_time = false;
};

// Reads the rows of a csv / open-bandit file.
Parsed ReadRows(const LoggedSpec& spec, bool open_bandit) {
  const std::string path = spec.file.string();
  const std::string text = ReadText(spec.file);
  const std::string delimiter = open_bandit ? "," : spec.delimiter;
  RecordReader reader(text, delimiter, true);
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  const bool header = open_bandit || spec.header;
  std::vector<std::string_view> header_fields;
  std::vector<std::string> header_copy;
  if (header) {
    if (!reader.Next(fields, line, problem)) throw Error(SourceLocation{path}, "the file is empty");
    for (auto f : fields) header_copy.emplace_back(f);
    for (const auto& h : header_copy) header_fields.push_back(h);
  }
  const Columns cols(path, header_fields, header);
  int round_col, user_col = -1, item_col, position_col, reward_col, propensity_col, prefix_col = -1,
                 time_col = -1;
  std::vector<int> user_feature_cols;
  if (open_bandit) {
    round_col = header_copy.empty() || !header_copy[0].empty() ? -1 : 0;
    if (round_col < 0)
      throw Error(SourceLocation{path, 1, 1},
                  "expected the Open Bandit Dataset's unnamed index column first");
    item_col = cols.Find("item_id", "Open Bandit item", true);
    position_col = cols.Find("position", "Open Bandit position", true);
    reward_col = cols.Find("click", "Open Bandit reward", true);
    propensity_col = cols.Find("propensity_score", "Open Bandit propensity", true);
    for (size_t c = 0; c < header_copy.size(); ++c) {
      if (header_copy[c].rfind("user_feature_", 0) == 0) user_feature_cols.push_back(static_cast<int>(c));
    }
    if (user_feature_cols.empty()) {
      throw Error(SourceLocation{path, 1, 0},
                  "missing columns user_feature_0..3 (the Open Bandit user context)");
    }
  } else {
    round_col = cols.Find(spec.round_column, "logged.round_column", true);
    user_col = cols.Find(spec.user_column, "logged.user_column", true);
    item_col = cols.Find(spec.item_column, "logged.item_column", true);
    position_col = cols.Find(spec.position_column, "logged.position_column", false);
    reward_col = cols.Find(spec.reward_column, "logged.reward_column", true);
    propensity_col = cols.Find(spec.propensity_column, "logged.propensity_column", true);
    prefix_col = cols.Find(spec.prefix_propensity_column, "logged.prefix_propensity_column", false);
    time_col = cols.Find(spec.timestamp_column, "logged.timestamp_column", false);
  }
  const int needed = std::max({round_col, user_col, item_col, position_col, reward_col, propensity_col,
                               prefix_col, user_feature_cols.empty() ? -1 : user_feature_cols.back()});
  Parsed out;
  out.has_time = time_col >= 0;
  while (reader.Next(fields, line, problem)) {
    const std::string_view record = reader.last_record();
    auto fail = [&](int column, const std::string& message) {
      throw Error(SourceLocation{path, static_cast<int>(line), column}, message);
    };
    if (!problem.empty()) fail(0, problem);
    if (static_cast<int>(fields.size()) <= needed) {
      fail(0, "expected at least " + std::to_string(needed + 1) + " fields, found " +
                  std::to_string(fields.size()));
    }
    Row row;
    row.line = line;
    row.round = std::string(fields[round_col]);
    row.item = std::string(fields[item_col]);
    if (open_bandit) {
      for (int c : user_feature_cols) row.user += (row.user.empty() ? "" : "|") + std::string(fields[c]);
    } else {
      row.user = std::string(fields[user_col]);
    }
    if (row.round.empty()) fail(ColumnOf(record, fields[round_col]), "empty round id");
    if (row.item.empty()) fail(ColumnOf(record, fields[item_col]), "empty item id");
    if (position_col >= 0) {
      double p = 0;
      const auto f = fields[position_col];
      if (!ParseNumber(f, p) || p != std::floor(p) || p < 1 || p > 100) {
        fail(ColumnOf(record, f), "position: expected an integer in 1..100, found '" + std::string(f) + "'");
      }
      row.position = static_cast<int64_t>(p);
      if (spec.slate_size > 0 && row.position > spec.slate_size) {
        fail(ColumnOf(record, f), "position " + std::to_string(row.position) + " is beyond the slate size (" +
                                      "logged.slate_size = " + std::to_string(spec.slate_size) + ")");
      }
    }
    {
      const auto f = fields[reward_col];
      if (!ParseNumber(f, row.reward) || !std::isfinite(row.reward)) {
        fail(ColumnOf(record, f), "reward: expected a finite number, found '" + std::string(f) + "'");
      }
    }
    {
      const auto f = fields[propensity_col];
      if (!ParseNumber(f, row.propensity) || !(row.propensity > 0 && row.propensity <= 1)) {
        fail(ColumnOf(record, f),
             "propensity: expected a probability in (0, 1], found '" + std::string(f) + "'");
      }
    }
    if (prefix_col >= 0) {
      const auto f = fields[prefix_col];
      if (!ParseNumber(f, row.prefix) || !(row.prefix > 0 && row.prefix <= 1)) {
        fail(ColumnOf(record, f),
             "prefix propensity: expected a probability in (0, 1], found '" + std::string(f) + "'");
      }
    }
    if (time_col >= 0) {
      const auto f = fields[time_col];
      if (!ParseTimestamp(f, row.timestamp)) {
        fail(ColumnOf(record, f), "timestamp: expected seconds since the epoch or an ISO 8601 time, found '" +
                                      std::string(f) + "'");
      }
    }
    out.max_position = std::max<uint32_t>(out.max_position, static_cast<uint32_t>(row.position));
    out.rows.push_back(std::move(row));
  }
  if (out.rows.empty()) throw Error(SourceLocation{path}, "no logged rows");
  return out;
}

void AddFinding(LoggedFeedback& logs, const std::string& text) {
  if (logs.findings.size() < 5) logs.findings.push_back(text);
  ++logs.findings_count;
}

void ReadTruth(const LoggedSpec& spec, LoggedFeedback& logs) {
  const std::string path = spec.truth.string();
  const std::string text = ReadText(spec.truth);
  RecordReader reader(text, ",", true);
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  if (!reader.Next(fields, line, problem)) throw Error(SourceLocation{path}, "the truth file is empty");
  std::unordered_map<std::string, uint32_t> user_of, action_of;
  for (uint32_t u = 0; u < logs.user_ids.size(); ++u) user_of[logs.user_ids[u]] = u;
  for (uint32_t a = 0; a < logs.num_actions(); ++a) action_of[logs.action_ids[a]] = a;
  const uint32_t K = logs.slate_size, A = logs.num_actions();
  std::vector<double> truth(logs.user_ids.size() * A * K, NAN);
  while (reader.Next(fields, line, problem)) {
    auto fail = [&](const std::string& m) {
      throw Error(SourceLocation{path, static_cast<int>(line), 0}, m);
    };
    if (!problem.empty()) fail(problem);
    if (fields.size() < 4) fail("expected user,item,position,probability");
    auto u = user_of.find(std::string(fields[0]));
    auto a = action_of.find(std::string(fields[1]));
    if (u == user_of.end() || a == action_of.end()) continue;  // not in these logs
    double k = 0, p = 0;
    if (!ParseNumber(fields[2], k) || k < 1 || k > K || k != std::floor(k)) {
      fail("position: expected an integer in 1.." + std::to_string(K));
    }
    if (!ParseNumber(fields[3], p) || !std::isfinite(p)) fail("probability: expected a finite number");
    truth[(static_cast<size_t>(u->second) * A + a->second) * K + static_cast<size_t>(k) - 1] = p;
  }
  for (size_t j = 0; j < truth.size(); ++j) {
    if (std::isnan(truth[j])) {
      const size_t k = j % K, a = (j / K) % A, u = j / K / A;
      throw Error(SourceLocation{path}, "no truth for user " + logs.user_ids[u] + ", item " +
                                            logs.action_ids[a] + ", position " + std::to_string(k + 1) +
                                            " (the truth must cover every logged user, item and position)");
    }
  }
  logs.truth = std::move(truth);
}

}  // namespace

LoggedFeedback ReadLoggedFeedback(const LoggedSpec& spec) {
  const bool open_bandit = spec.format == "open-bandit";
  Parsed parsed = ReadRows(spec, open_bandit);
  LoggedFeedback logs;
  logs.source = spec.file.string();
  const std::string path = spec.file.string();
  const uint32_t K = spec.slate_size > 0 ? spec.slate_size : parsed.max_position;
  logs.slate_size = K;
  std::unordered_map<std::string, uint32_t> action_of, user_of, round_of;
  auto action = [&](const std::string& id) {
    auto [it, added] = action_of.emplace(id, static_cast<uint32_t>(logs.action_ids.size()));
    if (added) logs.action_ids.push_back(id);
    return it->second;
  };
  if (open_bandit && !spec.items.empty()) {
    const std::string text = ReadText(spec.items);
    RecordReader reader(text, ",", true);
    std::vector<std::string_view> fields;
    uint64_t line = 0;
    std::string problem;
    if (!reader.Next(fields, line, problem))
      throw Error(SourceLocation{spec.items.string()}, "the file is empty");
    int item_col = -1;
    for (size_t c = 0; c < fields.size(); ++c) {
      if (fields[c] == "item_id") item_col = static_cast<int>(c);
    }
    if (item_col < 0) throw Error(SourceLocation{spec.items.string(), 1, 0}, "missing column 'item_id'");
    while (reader.Next(fields, line, problem)) {
      if (!problem.empty() || static_cast<int>(fields.size()) <= item_col) {
        throw Error(SourceLocation{spec.items.string(), static_cast<int>(line), 0},
                    "expected an item_id field");
      }
      action(std::string(fields[item_col]));
    }
  }
  const bool prefix = parsed.rows.front().prefix == parsed.rows.front().prefix;  // not NaN: the column exists
  std::vector<std::vector<uint32_t>> rows_of_round;
  for (uint32_t j = 0; j < parsed.rows.size(); ++j) {
    const Row& row = parsed.rows[j];
    auto [it, added] = round_of.emplace(row.round, static_cast<uint32_t>(rows_of_round.size()));
    if (added) {
      rows_of_round.emplace_back();
      logs.round_ids.push_back(row.round);
      logs.round_line.push_back(row.line);
      if (parsed.has_time) logs.round_time.push_back(row.timestamp);
      auto [u, new_user] = user_of.emplace(row.user, static_cast<uint32_t>(logs.user_ids.size()));
      if (new_user) logs.user_ids.push_back(row.user);
      logs.round_user.push_back(u->second);
    } else if (logs.user_ids[logs.round_user[it->second]] != row.user) {
      throw Error(SourceLocation{path, static_cast<int>(row.line), 0},
                  "round " + row.round + " has rows of two users ('" +
                      logs.user_ids[logs.round_user[it->second]] + "' at line " +
                      std::to_string(logs.round_line[it->second]) + ", '" + row.user + "' here)");
    }
    rows_of_round[it->second].push_back(j);
    action(row.item);
  }
  logs.num_rounds = static_cast<uint32_t>(rows_of_round.size());
  const size_t slots = static_cast<size_t>(logs.num_rounds) * K;
  logs.item.assign(slots, kNoAction);
  logs.reward.assign(slots, 0.0);
  logs.propensity.assign(slots, 0.0);
  if (prefix) logs.prefix_propensity.assign(slots, 0.0);
  size_t certain = 0;
  for (uint32_t r = 0; r < logs.num_rounds; ++r) {
    for (uint32_t j : rows_of_round[r]) {
      const Row& row = parsed.rows[j];
      const size_t slot = static_cast<size_t>(r) * K + static_cast<size_t>(row.position - 1);
      if (logs.shown(slot)) {
        uint64_t first = 0;
        for (uint32_t other : rows_of_round[r]) {
          if (parsed.rows[other].position == row.position) {
            first = parsed.rows[other].line;
            break;
          }
        }
        throw Error(SourceLocation{path, static_cast<int>(row.line), 0},
                    "round " + row.round + " has two rows at position " + std::to_string(row.position) +
                        " (the first at line " + std::to_string(first) + ")");
      }
      logs.item[slot] = action_of[row.item];
      logs.reward[slot] = row.reward;
      logs.propensity[slot] = row.propensity;
      if (prefix) logs.prefix_propensity[slot] = row.prefix;
      certain += row.propensity == 1.0;
    }
    if (!prefix) continue;
    // the prefix probabilities need the positions 1..m filled, and fall along the slate
    bool gap = false;
    double previous = 1.0;
    for (uint32_t k = 0; k < K; ++k) {
      const size_t slot = static_cast<size_t>(r) * K + k;
      if (!logs.shown(slot)) {
        gap = true;
        continue;
      }
      if (gap) {
        throw Error(SourceLocation{path, static_cast<int>(logs.round_line[r]), 0},
                    "round " + logs.round_ids[r] + ": prefix propensities need the positions 1.." +
                        std::to_string(k + 1) + " filled, position " + std::to_string(k) + " is missing");
      }
      const double p = logs.prefix_propensity[slot];
      if (p > previous * (1 + 1e-9) || p > logs.propensity[slot] * (1 + 1e-9)) {
        AddFinding(logs,
                   path + ":" + std::to_string(logs.round_line[r]) + ": round " + logs.round_ids[r] +
                       ": the prefix probability at position " + std::to_string(k + 1) +
                       " exceeds the one before it or its position's marginal, which no slate model allows");
      }
      previous = p;
    }
  }
  if (certain == parsed.rows.size()) {
    AddFinding(logs, path +
                         ": every logged propensity is 1: the logger is deterministic, so only policies that "
                         "agree with it can be evaluated");
  }
  if (!spec.truth.empty()) ReadTruth(spec, logs);
  return logs;
}

}  // namespace reclift::host
