// The critical-difference diagram of Demsar (2006), section 3.2.4 / Fig. 1:
// an axis of mean ranks (1 = best, on the left), every arm hung from its
// mean rank, a bar of length CD, and thick lines joining groups of arms
// whose mean ranks differ by less than CD (not significantly different by
// the Nemenyi test).
#pragma once

#include <string>
#include <vector>

namespace reclift::host::suite {

// Self-contained SVG (no scripts, no external resources). A NaN `cd` (too
// few datasets, or k beyond the q_alpha table) draws the ranks only, with a
// note instead of the CD bar and the groups.
std::string CdDiagramSvg(const std::vector<std::string>& arms, const std::vector<double>& mean_ranks,
                         double cd, const std::string& caption);

// The maximal groups of arms (indices, best mean rank first) whose mean
// ranks all lie within less than `cd` of each other; singletons left out.
std::vector<std::vector<size_t>> NemenyiGroups(const std::vector<double>& mean_ranks, double cd);

}  // namespace reclift::host::suite
