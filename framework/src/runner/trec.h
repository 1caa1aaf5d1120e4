// TREC export: every arm's top-k lists as a TREC run file and the test
// relevance as a qrels file, so the ranking metrics can be cross-checked
// with trec_eval:
//
//   trec_eval -c -m P.10 -m recall.10 -m ndcg_cut.10 -m map_cut.10 -m recip_rank
//       qrels.txt run-<arm>.txt         (one command line)
//
// Run lines are "user Q0 item rank score arm", one per listed item, with the
// score k + 1 - rank (strictly decreasing, so trec_eval's own ordering by
// score, ties broken by item id, reproduces the list exactly). Qrels lines
// are "user 0 item relevance" for every test item of a user with at least
// one relevant item: relevance is the gain (1 for implicit data, the rating
// for explicit data when `graded`, scaled to whole numbers) for relevant
// items and 0 for the others.
// User and item ids are the dataset's original ids; ids with whitespace are
// written with each whitespace character replaced by '_'.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "data/dataset.h"
#include "runner/cell_data.h"

namespace reclift::host {

// graded: relevances are the gains times TrecGainScale(cell), rounded.
std::string TrecQrels(const Dataset& data, const CellData& cell, bool graded);
// The smallest of 1, 2, 4, 5, 10, 20, 50, 100, 1000 that makes every gain a
// whole number (trec_eval reads relevances as integers); 1000 when none does.
double TrecGainScale(const CellData& cell);
// README.txt of the export: the trec_eval commands for the cut-offs `ks` and
// each run file, and the conventions to know.
std::string TrecReadme(const std::vector<int>& ks, const std::vector<std::string>& run_files, bool graded,
                       double gain_scale);
std::string TrecRun(const Dataset& data, const CellData& cell,
                    const std::vector<std::vector<uint32_t>>& lists, const std::string& run_name);

}  // namespace reclift::host
