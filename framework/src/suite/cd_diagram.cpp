#include "suite/cd_diagram.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "report/html.h"

namespace reclift::host::suite {
namespace {

std::string Fixed(double x, int digits) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(digits);
  s << x;
  return s.str();
}

}  // namespace

std::vector<std::vector<size_t>> NemenyiGroups(const std::vector<double>& mean_ranks, double cd) {
  std::vector<std::vector<size_t>> groups;
  if (!(cd > 0)) return groups;
  std::vector<size_t> order(mean_ranks.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mean_ranks[a] < mean_ranks[b]; });
  size_t last_end = 0;  // a group ending where the previous one ended is not maximal
  for (size_t i = 0; i < order.size(); ++i) {
    size_t j = i;
    while (j + 1 < order.size() && mean_ranks[order[j + 1]] - mean_ranks[order[i]] < cd) ++j;
    if (j > i && j + 1 > last_end) {
      groups.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(i),
                          order.begin() + static_cast<std::ptrdiff_t>(j + 1));
      last_end = j + 1;
    }
  }
  return groups;
}

std::string CdDiagramSvg(const std::vector<std::string>& arms, const std::vector<double>& mean_ranks,
                         double cd, const std::string& caption) {
  const size_t k = arms.size();
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mean_ranks[a] < mean_ranks[b]; });
  const auto groups = NemenyiGroups(mean_ranks, cd);
  const size_t left_count = (k + 1) / 2;  // the better half is labelled on the left
  const double width = 640, margin = 170, axis_y = 70;
  const double axis_left = margin, axis_right = width - margin;
  const double hi = std::max<double>(2, static_cast<double>(k));
  auto x_of = [&](double rank) { return axis_left + (rank - 1) / (hi - 1) * (axis_right - axis_left); };
  const double group_top = axis_y + 18;
  const double labels_top = group_top + 10 * static_cast<double>(groups.size()) + 20;
  const double row = 22;
  const double height = labels_top + row * static_cast<double>(std::max(left_count, k - left_count)) + 30;

  std::ostringstream s;
  s << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cd-diagram\" width=\"" << width << "\" height=\""
    << Fixed(height, 0) << "\" viewBox=\"0 0 " << width << " " << Fixed(height, 0)
    << "\" font-family=\"sans-serif\" font-size=\"12\" role=\"img\">\n";
  s << "<title>" << report::EscapeHtml(caption) << "</title>\n";
  // axis and ticks: rank 1 (best) on the left
  s << "<line x1=\"" << axis_left << "\" y1=\"" << axis_y << "\" x2=\"" << axis_right << "\" y2=\"" << axis_y
    << "\" stroke=\"#000\"/>\n";
  for (size_t r = 1; r <= static_cast<size_t>(hi); ++r) {
    const double x = x_of(static_cast<double>(r));
    s << "<line x1=\"" << Fixed(x, 1) << "\" y1=\"" << axis_y - 6 << "\" x2=\"" << Fixed(x, 1) << "\" y2=\""
      << axis_y << "\" stroke=\"#000\"/>";
    s << "<text x=\"" << Fixed(x, 1) << "\" y=\"" << axis_y - 10 << "\" text-anchor=\"middle\">" << r
      << "</text>\n";
  }
  if (cd > 0 && std::isfinite(cd)) {
    const double x0 = x_of(1), x1 = x_of(1 + std::min(cd, hi - 1));
    s << "<line class=\"cd-bar\" x1=\"" << Fixed(x0, 1) << "\" y1=\"25\" x2=\"" << Fixed(x1, 1)
      << "\" y2=\"25\" stroke=\"#000\" stroke-width=\"2\"/>";
    s << "<line x1=\"" << Fixed(x0, 1) << "\" y1=\"20\" x2=\"" << Fixed(x0, 1)
      << "\" y2=\"30\" stroke=\"#000\"/><line x1=\"" << Fixed(x1, 1) << "\" y1=\"20\" x2=\"" << Fixed(x1, 1)
      << "\" y2=\"30\" stroke=\"#000\"/>";
    s << "<text x=\"" << Fixed((x0 + x1) / 2, 1) << "\" y=\"15\" text-anchor=\"middle\">CD = " << Fixed(cd, 3)
      << "</text>\n";
  } else {
    s << "<text x=\"" << axis_left
      << "\" y=\"20\" fill=\"#555\">no critical difference (see the report)</text>\n";
  }
  // groups of arms not significantly different
  for (size_t g = 0; g < groups.size(); ++g) {
    const double y = group_top + 10 * static_cast<double>(g);
    s << "<line class=\"cd-group\" x1=\"" << Fixed(x_of(mean_ranks[groups[g].front()]) - 4, 1) << "\" y1=\""
      << y << "\" x2=\"" << Fixed(x_of(mean_ranks[groups[g].back()]) + 4, 1) << "\" y2=\"" << y
      << "\" stroke=\"#c0392b\" stroke-width=\"4\" stroke-linecap=\"round\"/>\n";
  }
  // arms: a line down from the mean rank, then out to the label
  for (size_t i = 0; i < k; ++i) {
    const size_t a = order[i];
    const bool left = i < left_count;
    const size_t slot = left ? i : k - 1 - i;
    const double x = x_of(mean_ranks[a]);
    const double y = labels_top + row * static_cast<double>(slot);
    const double end = left ? axis_left - 10 : axis_right + 10;
    s << "<polyline fill=\"none\" stroke=\"#333\" points=\"" << Fixed(x, 1) << "," << axis_y << " "
      << Fixed(x, 1) << "," << Fixed(y, 1) << " " << Fixed(end, 1) << "," << Fixed(y, 1) << "\"/>";
    s << "<text class=\"cd-arm\" x=\"" << Fixed(left ? end - 4 : end + 4, 1) << "\" y=\"" << Fixed(y + 4, 1)
      << "\" text-anchor=\"" << (left ? "end" : "start") << "\">" << report::EscapeHtml(arms[a]) << " ("
      << Fixed(mean_ranks[a], 2) << ")</text>\n";
  }
  s << "</svg>\n";
  return s.str();
}

}  // namespace reclift::host::suite
