// LoggedFeedback: what a deployed (logging) policy showed, what users did,
// and with which probability the logger chose each shown item — read from a
// file (ope/logged_reader.h) or simulated with known truth
// (ope/simulator.h). Off-policy evaluation (ope/ope.h) reads nothing else.
//
// Layout: rounds (impressions) of up to slate_size positions; slot
// r * slate_size + k is position k + 1 of round r. Items are indices into
// action_ids, the action space (every item of the logs, plus the item
// context file's); users are indices into user_ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reclift::host {

inline constexpr uint32_t kNoAction = UINT32_MAX;

struct LoggedFeedback {
  std::string source;  // the file read, or "synthetic"
  uint32_t num_rounds = 0;
  uint32_t slate_size = 1;
  std::vector<std::string> user_ids;    // distinct users of the logs
  std::vector<std::string> action_ids;  // the action space
  std::vector<uint32_t> round_user;     // per round: index into user_ids
  std::vector<std::string> round_ids;   // per round: the id as written (empty for simulated logs)
  std::vector<uint64_t> round_line;     // per round: line of its first row (0 for simulated logs)
  std::vector<int64_t> round_time;      // per round: its first row's timestamp; empty when not logged
  // per slot (num_rounds * slate_size)
  std::vector<uint32_t> item;             // index into action_ids, kNoAction when the position is empty
  std::vector<double> reward;             // 0 where empty
  std::vector<double> propensity;         // marginal mu(item at position | round); 0 where empty
  std::vector<double> prefix_propensity;  // mu(items at positions 1..k | round); empty when not logged
  // known truth (simulated logs only): expected reward of every (user,
  // action, position), at ((user * actions) + action) * slate_size + k;
  // empty when unknown
  std::vector<double> truth;
  // what the simulator used, for the report (empty for files)
  std::string logging_policy;
  // how the truth table reads: "pbm" (expected reward of the item at the
  // position) or "cascade" (attraction of the item; the first click ends
  // the round). Files: "pbm".
  std::string click_model = "pbm";
  // findings about propensities that do not fit the slate model (at most a
  // few examples, with file:line), and their count
  std::vector<std::string> findings;
  size_t findings_count = 0;

  uint32_t num_actions() const { return static_cast<uint32_t>(action_ids.size()); }
  bool shown(size_t slot) const { return item[slot] != kNoAction; }
  bool has_prefix_propensity() const { return !prefix_propensity.empty(); }
  bool has_truth() const { return !truth.empty(); }
};

}  // namespace reclift::host
