// The HTML report: one self-contained page a reviewer opens from a run
// folder or an e-mail, offline. Charts are inline SVG drawn here, so the
// page needs no library and prints as it shows.
#include "report/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "report/format.h"
#include "report/tuning_section.h"
#include "report/ope_section.h"
#include "stats/stats.h"

namespace reclift::host {
namespace report {

std::string EscapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Okabe & Ito (2008), "Color Universal Design": distinguishable with every
// common colour-vision deficiency. Yellow is last: it is faint on white.
constexpr std::array<const char*, 8> kSeriesColours = {"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                       "#D55E00", "#56B4E9", "#000000", "#F0E442"};
constexpr const char* kBetterColour = "#0072B2";  // Okabe-Ito blue
constexpr const char* kWorseColour = "#D55E00";   // Okabe-Ito vermillion
constexpr const char* kNeutralColour = "#6B7280";
constexpr std::array<const char*, 6> kDashes = {"", "7 4", "2 3", "9 3 2 3", "4 2", "12 4"};

enum class Shape { kCircle, kSquare, kTriangleUp, kDiamond, kTriangleDown, kCross };
constexpr std::array<Shape, 6> kSeriesShapes = {Shape::kCircle,  Shape::kSquare,       Shape::kTriangleUp,
                                                Shape::kDiamond, Shape::kTriangleDown, Shape::kCross};

// SVG coordinates with one decimal: enough for a screen, short in the file.
std::string Px(double x) {
  return fmt::format("{:.1f}", x);
}

std::string Marker(Shape shape, double x, double y, double r, std::string_view fill,
                   std::string_view stroke) {
  const std::string style = fmt::format(R"svg( fill="{}" stroke="{}" stroke-width="1.5")svg", fill, stroke);
  switch (shape) {
    case Shape::kCircle:
      return fmt::format(R"svg(<circle cx="{}" cy="{}" r="{}"{}/>)svg", Px(x), Px(y), Px(r), style);
    case Shape::kSquare:
      return fmt::format(R"svg(<rect x="{}" y="{}" width="{}" height="{}"{}/>)svg", Px(x - r * 0.85),
                         Px(y - r * 0.85), Px(r * 1.7), Px(r * 1.7), style);
    case Shape::kTriangleUp:
      return fmt::format(R"svg(<path d="M{} {}L{} {}L{} {}Z"{}/>)svg", Px(x), Px(y - r * 1.15),
                         Px(x + r * 1.1), Px(y + r * 0.75), Px(x - r * 1.1), Px(y + r * 0.75), style);
    case Shape::kTriangleDown:
      return fmt::format(R"svg(<path d="M{} {}L{} {}L{} {}Z"{}/>)svg", Px(x), Px(y + r * 1.15),
                         Px(x + r * 1.1), Px(y - r * 0.75), Px(x - r * 1.1), Px(y - r * 0.75), style);
    case Shape::kDiamond:
      return fmt::format(R"svg(<path d="M{} {}L{} {}L{} {}L{} {}Z"{}/>)svg", Px(x), Px(y - r * 1.2),
                         Px(x + r), Px(y), Px(x), Px(y + r * 1.2), Px(x - r), Px(y), style);
    case Shape::kCross:
      return fmt::format(
          R"svg(<path d="M{} {}L{} {}M{} {}L{} {}" fill="none" stroke="{}" stroke-width="2.2"/>)svg",
          Px(x - r), Px(y - r), Px(x + r), Px(y + r), Px(x - r), Px(y + r), Px(x + r), Px(y - r), stroke);
  }
  return "";
}

// Roughly how wide a label is at 12px in a sans-serif font; used to size
// label columns, so it errs on the wide side.
double TextWidth(std::string_view text, double font_size = 12) {
  size_t glyphs = 0;
  for (const char c : text) glyphs += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return static_cast<double>(glyphs) * font_size * 0.58;
}

// At most `max_glyphs` characters, cut on a UTF-8 boundary, with an ellipsis.
std::string Shorten(std::string_view text, size_t max_glyphs) {
  size_t glyphs = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (glyphs == max_glyphs) return std::string(text.substr(0, i)) + "\u2026";
    ++glyphs;
  }
  return std::string(text);
}

// A text element whose content may be cut to fit, with the whole text as a
// tooltip.
std::string SvgLabel(std::string_view text, size_t max_glyphs, double x, double y, std::string_view anchor,
                     std::string_view extra = "") {
  const std::string shown = Shorten(text, max_glyphs);
  std::string out =
      fmt::format(R"svg(<text x="{}" y="{}" text-anchor="{}"{}>)svg", Px(x), Px(y), anchor, extra);
  if (shown.size() != text.size()) out += "<title>" + EscapeHtml(text) + "</title>";
  return out + EscapeHtml(shown) + "</text>";
}

struct Axis {
  double low = 0;
  double high = 1;
  double step = 0.2;
  std::vector<double> ticks;
};

// Round ticks (1, 2 or 5 times a power of ten) covering [low, high];
// `integer` axes (counts such as shots) never step by less than 1.
Axis NiceAxis(double low, double high, int target_ticks = 5, bool integer = false) {
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
  if (high < low) std::swap(low, high);
  if (high - low < 1e-12) {
    const double pad = std::max(std::fabs(low) * 0.1, 1e-3);
    low -= pad;
    high += pad;
  }
  const double raw = (high - low) / target_ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  const double ratio = raw / magnitude;
  Axis axis;
  axis.step = (ratio < 1.5 ? 1 : ratio < 3 ? 2 : ratio < 7 ? 5 : 10) * magnitude;
  if (integer) axis.step = std::max(axis.step, 1.0);
  axis.low = std::floor(low / axis.step + 1e-9) * axis.step;
  axis.high = std::ceil(high / axis.step - 1e-9) * axis.step;
  for (int i = 0;; ++i) {
    double tick = axis.low + i * axis.step;
    if (tick > axis.high + axis.step * 1e-6) break;
    if (std::fabs(tick) < axis.step * 1e-9) tick = 0;  // no "-0"
    axis.ticks.push_back(tick);
  }
  return axis;
}

// Tick labels with as many decimals as the step needs.
std::string TickLabel(double value, double step, bool percent, bool sign) {
  const double shown_step = percent ? step * 100 : step;
  const int decimals = std::max(0, static_cast<int>(std::ceil(-std::log10(shown_step) - 1e-9)));
  const double shown = percent ? value * 100 : value;
  std::string text =
      sign && shown > 0 ? fmt::format("+{:.{}f}", shown, decimals) : fmt::format("{:.{}f}", shown, decimals);
  if (text.starts_with("-") && std::stod(text) == 0) text = text.substr(1);
  return percent ? text + "%" : text;
}

bool IsBetter(std::string_view verdict) {
  return verdict == stats::kVerdictBetter;
}
bool IsWorse(std::string_view verdict) {
  return verdict == stats::kVerdictWorse;
}

// The marker a verdict gets everywhere: filled triangles for significant
// results, a hollow circle otherwise, so print in grey still tells them apart.
std::string VerdictMarker(std::string_view verdict, double x, double y, double r) {
  if (IsBetter(verdict)) return Marker(Shape::kTriangleUp, x, y, r, kBetterColour, kBetterColour);
  if (IsWorse(verdict)) return Marker(Shape::kTriangleDown, x, y, r, kWorseColour, kWorseColour);
  return Marker(Shape::kCircle, x, y, r * 0.85, "#ffffff", kNeutralColour);
}

const char* VerdictColour(std::string_view verdict) {
  return IsBetter(verdict) ? kBetterColour : IsWorse(verdict) ? kWorseColour : kNeutralColour;
}

std::string SvgOpen(double width, double height, std::string_view aria_label) {
  return fmt::format(
      R"svg(<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )svg"
      R"svg(role="img" aria-label="{2}">)svg",
      Px(width), Px(height), EscapeHtml(aria_label));
}

}  // namespace

std::string VerdictBadge(std::string_view verdict) {
  if (IsBetter(verdict)) return "<span class=\"badge better\">\u25B2 better</span>";
  if (IsWorse(verdict)) return "<span class=\"badge worse\">\u25BC worse</span>";
  if (verdict.empty()) return "<span class=\"badge none\">no verdict</span>";
  return "<span class=\"badge none\">\u25CB " + EscapeHtml(verdict) + "</span>";
}

std::string ForestPlotSvg(const std::vector<ForestRow>& rows, std::string_view axis_label, bool percent) {
  if (rows.empty()) return "";
  double low = 0, high = 0;  // the axis always shows 0, the line of no effect
  double label_width = 60;
  for (const ForestRow& row : rows) {
    for (const double v : {row.estimate, row.low, row.high}) {
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    }
    label_width = std::max(label_width, TextWidth(row.label));
  }
  label_width = std::min(label_width, 250.0) + 16;
  const Axis axis = NiceAxis(low, high);
  const double width = 1060, value_width = 210, row_height = 30, top = 14;
  const double plot_left = label_width, plot_right = width - value_width;
  const double plot_bottom = top + row_height * static_cast<double>(rows.size());
  const double height = plot_bottom + 84;
  auto x_of = [&](double v) {
    return plot_left + (v - axis.low) / (axis.high - axis.low) * (plot_right - plot_left);
  };
  auto format_value = [&](double v) { return percent ? FormatSignedPercent(v) : FormatSignedMetric(v); };

  std::string svg = SvgOpen(width, height, fmt::format("Forest plot: {}", axis_label));
  svg += R"svg(<g class="grid">)svg";
  for (const double tick : axis.ticks) {
    svg += fmt::format(R"svg(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)svg", Px(x_of(tick)), Px(top - 6),
                       Px(plot_bottom));
  }
  svg += "</g>";
  svg += fmt::format(R"svg(<line class="zero" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)svg", Px(x_of(0)),
                     Px(top - 8), Px(plot_bottom + 2));
  for (size_t i = 0; i < rows.size(); ++i) {
    const ForestRow& row = rows[i];
    const double y = top + row_height * (static_cast<double>(i) + 0.5);
    const char* colour = VerdictColour(row.verdict);
    svg += "<g class=\"row\">";
    if (!row.detail.empty()) svg += "<title>" + EscapeHtml(row.detail) + "</title>";
    if (i % 2 == 1) {
      svg += fmt::format(R"svg(<rect class="band" x="0" y="{}" width="{}" height="{}"/>)svg",
                         Px(y - row_height / 2), Px(width), Px(row_height));
    }
    svg += SvgLabel(row.label, 40, plot_left - 12, y + 4, "end", R"svg( class="label")svg");
    if (std::isfinite(row.low) && std::isfinite(row.high)) {
      const double x1 = x_of(row.low), x2 = x_of(row.high);
      svg += fmt::format(
          R"svg(<path d="M{0} {2}H{1}M{0} {3}V{4}M{1} {3}V{4}" stroke="{5}" stroke-width="2" fill="none"/>)svg",
          Px(x1), Px(x2), Px(y), Px(y - 5), Px(y + 5), colour);
    }
    if (std::isfinite(row.estimate)) svg += VerdictMarker(row.verdict, x_of(row.estimate), y, 6);
    std::string value = format_value(row.estimate);
    if (std::isfinite(row.low) && std::isfinite(row.high)) {
      value += " [" + format_value(row.low) + ", " + format_value(row.high) + "]";
    }
    svg += fmt::format(R"svg(<text class="value" x="{}" y="{}">{}</text>)svg", Px(plot_right + 12), Px(y + 4),
                       EscapeHtml(value));
    svg += "</g>";
  }
  // The axis: ticks, tick labels, and the label naming quantity and unit.
  svg += fmt::format(R"svg(<line class="axis" x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)svg", Px(plot_left),
                     Px(plot_right), Px(plot_bottom));
  for (const double tick : axis.ticks) {
    svg += fmt::format(R"svg(<line class="axis" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)svg", Px(x_of(tick)),
                       Px(plot_bottom), Px(plot_bottom + 5));
    svg += fmt::format(R"svg(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)svg",
                       Px(x_of(tick)), Px(plot_bottom + 18), TickLabel(tick, axis.step, percent, true));
  }
  svg += fmt::format(R"svg(<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>)svg",
                     Px((plot_left + plot_right) / 2), Px(plot_bottom + 38), EscapeHtml(axis_label));
  // Legend: the three markers and what they mean.
  const double legend_y = plot_bottom + 64;
  double x = plot_left;
  const std::array<std::pair<const char*, const char*>, 3> entries = {
      {{stats::kVerdictBetter, "better (significant)"},
       {stats::kVerdictWorse, "worse (significant)"},
       {stats::kVerdictNoDifference, "no detectable difference"}}};
  svg += "<g class=\"legend\">";
  for (const auto& [verdict, text] : entries) {
    svg += VerdictMarker(verdict, x + 6, legend_y - 4, 5.5);
    svg += fmt::format(R"svg(<text x="{}" y="{}">{}</text>)svg", Px(x + 16), Px(legend_y), text);
    x += 40 + TextWidth(text);
  }
  svg += fmt::format(R"svg(<line class="zero" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)svg", Px(x + 6),
                     Px(legend_y - 11), Px(legend_y + 3));
  svg += fmt::format(R"svg(<text x="{}" y="{}">no effect</text>)svg", Px(x + 14), Px(legend_y));
  svg += fmt::format(R"svg(<path d="M{0} {2}H{1}M{0} {3}V{4}M{1} {3}V{4}" stroke="#333" fill="none"/>)svg",
                     Px(x + 90), Px(x + 116), Px(legend_y - 4), Px(legend_y - 8), Px(legend_y));
  svg += fmt::format(R"svg(<text x="{}" y="{}">confidence interval</text>)svg", Px(x + 122), Px(legend_y));
  svg += "</g></svg>";
  return svg;
}

namespace {

// One series of an x-y chart: a line through points (in the order given),
// an optional band between low and high, and point labels.
struct XyPoint {
  double x = kNaN;
  double y = kNaN;
  double low = kNaN;
  double high = kNaN;
  std::string label;  // drawn next to the point when not empty
};
struct XySeries {
  std::string name;
  std::vector<XyPoint> points;
  size_t style = 0;  // colour, marker and dash: the arm's place in the run, the same in every chart
};

// Lines with markers, dash patterns and an interval band per series, axes
// with labels and a legend below: the shared frame of the cold-start and
// trade-off charts.
std::string XyChartSvg(const std::vector<XySeries>& series, std::string_view x_label,
                       std::string_view y_label, double width, bool bands, std::string_view aria_label) {
  double x_low = std::numeric_limits<double>::infinity(), x_high = -x_low;
  double y_low = x_low, y_high = -x_low;
  for (const XySeries& s : series) {
    for (const XyPoint& p : s.points) {
      if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
      x_low = std::min(x_low, p.x), x_high = std::max(x_high, p.x);
      y_low = std::min(y_low, p.y), y_high = std::max(y_high, p.y);
      if (bands && std::isfinite(p.low)) y_low = std::min(y_low, p.low);
      if (bands && std::isfinite(p.high)) y_high = std::max(y_high, p.high);
    }
  }
  if (!std::isfinite(x_low)) return "";
  bool integer_x = true;
  for (const XySeries& s : series) {
    for (const XyPoint& p : s.points)
      integer_x = integer_x && (!std::isfinite(p.x) || p.x == std::round(p.x));
  }
  const Axis x_axis = NiceAxis(x_low, x_high, std::max(2, static_cast<int>(width / 110)), integer_x);
  const Axis y_axis = NiceAxis(y_low, y_high, 5);
  const double left = 64, right = width - 18, top = 14, plot_height = 230;
  const double bottom = top + plot_height;
  const double legend_rows =
      std::ceil(static_cast<double>(series.size()) / std::max(1.0, (width - 60) / 210));
  const double height = bottom + 58 + 20 * legend_rows;
  auto x_of = [&](double v) { return left + (v - x_axis.low) / (x_axis.high - x_axis.low) * (right - left); };
  auto y_of = [&](double v) { return bottom - (v - y_axis.low) / (y_axis.high - y_axis.low) * plot_height; };

  std::string svg = SvgOpen(width, height, aria_label);
  svg += R"svg(<g class="grid">)svg";
  for (const double t : y_axis.ticks) {
    svg +=
        fmt::format(R"svg(<line x1="{0}" x2="{1}" y1="{2}" y2="{2}"/>)svg", Px(left), Px(right), Px(y_of(t)));
  }
  for (const double t : x_axis.ticks) {
    svg +=
        fmt::format(R"svg(<line x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)svg", Px(x_of(t)), Px(top), Px(bottom));
  }
  svg += "</g>";
  for (size_t s = 0; s < series.size(); ++s) {
    const size_t style = series[s].style;
    const char* colour = kSeriesColours[style % kSeriesColours.size()];
    std::vector<const XyPoint*> drawn;
    for (const XyPoint& p : series[s].points) {
      if (std::isfinite(p.x) && std::isfinite(p.y)) drawn.push_back(&p);
    }
    svg += "<g class=\"series\"><title>" + EscapeHtml(series[s].name) + "</title>";
    if (bands) {
      // The band joins the upper bounds left to right, then the lower ones
      // back; points without both bounds leave a gap by splitting the band.
      std::vector<std::vector<const XyPoint*>> runs(1);
      for (const XyPoint* p : drawn) {
        if (std::isfinite(p->low) && std::isfinite(p->high)) {
          runs.back().push_back(p);
        } else if (!runs.back().empty()) {
          runs.emplace_back();
        }
      }
      for (const auto& run : runs) {
        if (run.size() < 2) continue;
        std::string d;
        for (const XyPoint* p : run)
          d += fmt::format("{}{} {}", d.empty() ? 'M' : 'L', Px(x_of(p->x)), Px(y_of(p->high)));
        for (auto it = run.rbegin(); it != run.rend(); ++it) {
          d += fmt::format("L{} {}", Px(x_of((*it)->x)), Px(y_of((*it)->low)));
        }
        svg += fmt::format(R"svg(<path class="band-ci" d="{}Z" fill="{}"/>)svg", d, colour);
      }
    }
    if (drawn.size() > 1) {
      std::string d;
      for (const XyPoint* p : drawn)
        d += fmt::format("{}{} {}", d.empty() ? 'M' : 'L', Px(x_of(p->x)), Px(y_of(p->y)));
      const char* dash = kDashes[style % kDashes.size()];
      svg += fmt::format(R"svg(<path d="{}" fill="none" stroke="{}" stroke-width="2"{}/>)svg", d, colour,
                         *dash ? fmt::format(R"svg( stroke-dasharray="{}")svg", dash) : "");
    }
    const Shape shape = kSeriesShapes[style % kSeriesShapes.size()];
    for (const XyPoint* p : drawn) {
      svg += Marker(shape, x_of(p->x), y_of(p->y), 4.5, colour, "#ffffff");
      if (shape == Shape::kCross) svg += Marker(shape, x_of(p->x), y_of(p->y), 4.5, colour, colour);
      if (!p->label.empty()) {
        svg += fmt::format(R"svg(<text class="point-label" x="{}" y="{}">{}</text>)svg", Px(x_of(p->x) + 7),
                           Px(y_of(p->y) - 7), EscapeHtml(p->label));
      }
    }
    svg += "</g>";
  }
  svg += fmt::format(R"svg(<path class="axis" d="M{} {}V{}H{}" fill="none"/>)svg", Px(left), Px(top),
                     Px(bottom), Px(right));
  for (const double t : y_axis.ticks) {
    svg += fmt::format(R"svg(<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>)svg", Px(left - 6),
                       Px(y_of(t) + 4), TickLabel(t, y_axis.step, false, false));
  }
  for (const double t : x_axis.ticks) {
    svg += fmt::format(R"svg(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)svg",
                       Px(x_of(t)), Px(bottom + 16), TickLabel(t, x_axis.step, false, false));
  }
  svg += fmt::format(R"svg(<text class="axis-label" x="{}" y="{}" text-anchor="middle">{}</text>)svg",
                     Px((left + right) / 2), Px(bottom + 36), EscapeHtml(x_label));
  svg += fmt::format(
      R"svg(<text class="axis-label" x="{0}" y="{1}" text-anchor="middle" transform="rotate(-90 {0} {1})">{2}</text>)svg",
      Px(16), Px(top + plot_height / 2), EscapeHtml(y_label));
  // Legend: line sample with the series' dash and marker, then its name.
  double x = left, y = bottom + 60;
  svg += "<g class=\"legend\">";
  for (size_t s = 0; s < series.size(); ++s) {
    if (x + 200 > width && x > left) x = left, y += 20;
    const size_t style = series[s].style;
    const char* colour = kSeriesColours[style % kSeriesColours.size()];
    const char* dash = kDashes[style % kDashes.size()];
    svg += fmt::format(R"svg(<path d="M{} {}h28" stroke="{}" stroke-width="2"{}/>)svg", Px(x), Px(y - 4),
                       colour, *dash ? fmt::format(R"svg( stroke-dasharray="{}")svg", dash) : "");
    const Shape shape = kSeriesShapes[style % kSeriesShapes.size()];
    svg += Marker(shape, x + 14, y - 4, 4.5, colour, shape == Shape::kCross ? colour : "#ffffff");
    svg += SvgLabel(series[s].name, 26, x + 34, y, "start");
    x += 210;
  }
  svg += "</g></svg>";
  return svg;
}

// ---------------------------------------------------------------------------
// Reading the document.

using Column = report::ResultsColumn;

struct Document : report::ResultsView {
  std::string p_label;  // "p (adj.)" or "p"

  explicit Document(const Json& r) : ResultsView(r), p_label(corrected ? "p (adj.)" : "p") {}

  bool HigherIsBetter(std::string_view metric) const {
    const Column* column = FindColumn(metric);
    return column == nullptr || column->higher_is_better;
  }
  const Json* Comparison(const Json& arm, std::string_view metric, std::string_view profiler = "",
                         std::string_view segment = "") const {
    return comparisons.Get(StringAt(arm, "name"), metric, profiler, segment);
  }
};

std::string Esc(const Json& object, std::string_view key, std::string_view fallback = "") {
  return EscapeHtml(StringAt(object, key, fallback));
}

std::string Interval(double low, double high, std::string (*format)(double)) {
  if (!std::isfinite(low) || !std::isfinite(high)) return std::string(kMissing);
  return "[" + format(low) + ", " + format(high) + "]";
}

// A numeric cell: the shown text, and the raw value for sorting.
std::string NumberCell(const std::string& text, double sort_value, std::string_view css_class = "num") {
  if (!std::isfinite(sort_value)) return fmt::format("<td class=\"{}\">{}</td>", css_class, text);
  return fmt::format("<td class=\"{}\" data-sort=\"{}\">{}</td>", css_class, sort_value, text);
}

std::string FormatSeconds(double seconds) {
  if (!std::isfinite(seconds)) return std::string(kMissing);
  if (seconds < 1e-3) return fmt::format("{:.0f} \u00B5s", seconds * 1e6);
  if (seconds < 1) return fmt::format("{:.1f} ms", seconds * 1e3);
  if (seconds < 120) return fmt::format("{:.2f} s", seconds);
  return fmt::format("{:.1f} min", seconds / 60);
}

std::string FormatBytes(double bytes) {
  if (!std::isfinite(bytes)) return std::string(kMissing);
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes < 1e5) return fmt::format("{:.0f} kB", bytes / 1e3);
  return fmt::format("{:.1f} MB", bytes / 1e6);
}

std::string Anchor(std::string_view prefix, size_t index) {
  return fmt::format("{}-{}", prefix, index);
}

// Counts of verdicts, for summaries such as "2 better, 1 worse".
std::string VerdictCounts(const Document& doc, std::string_view metric) {
  int better = 0, worse = 0, none = 0;
  for (const Json* arm : doc.treatments) {
    const Json* c = doc.Comparison(*arm, metric);
    if (c == nullptr) continue;
    const std::string verdict = StringAt(*c, "verdict");
    (IsBetter(verdict) ? better : IsWorse(verdict) ? worse : none) += 1;
  }
  if (better + worse + none == 0) return "";
  std::vector<std::string> parts;
  if (better > 0) parts.push_back(fmt::format("{} better", better));
  if (worse > 0) parts.push_back(fmt::format("{} worse", worse));
  if (none > 0) parts.push_back(fmt::format("{} no detectable difference", none));
  std::string out = parts.front();
  for (size_t i = 1; i < parts.size(); ++i) out += ", " + parts[i];
  return out;
}

// The lifts of every treatment on one metric, relative when every
// comparison has a relative lift (they read across metrics), else absolute.
std::string MetricForestPlot(const Document& doc, std::string_view metric) {
  std::vector<const Json*> rows;
  std::vector<const Json*> arms;
  bool relative = true;
  for (const Json* arm : doc.treatments) {
    const Json* c = doc.Comparison(*arm, metric);
    if (c == nullptr) continue;
    rows.push_back(c);
    arms.push_back(arm);
    relative = relative && std::isfinite(NumberAt(*c, "relative_lift"));
  }
  if (rows.empty()) return "";
  std::vector<ForestRow> forest;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& c = *rows[i];
    ForestRow row;
    row.label = StringAt(*arms[i], "name");
    row.estimate = NumberAt(c, relative ? "relative_lift" : "lift");
    row.low = NumberAt(c, relative ? "relative_lift_ci_low" : "lift_ci_low");
    row.high = NumberAt(c, relative ? "relative_lift_ci_high" : "lift_ci_high");
    row.verdict = StringAt(c, "verdict");
    row.detail = fmt::format(
        "{}: {} vs {} on {} (lift {}, {} {}, n = {})", row.label, FormatMetric(NumberAt(c, "treatment_mean")),
        FormatMetric(NumberAt(c, "control_mean")), metric, FormatSignedMetric(NumberAt(c, "lift")),
        doc.p_label, FormatPValue(NumberAt(c, "p_value_adjusted")), FormatCount(NumberAt(c, "n")));
    forest.push_back(std::move(row));
  }
  const std::string direction = doc.HigherIsBetter(metric) ? "higher is better" : "lower is better";
  const std::string axis =
      relative
          ? fmt::format("Relative lift of {} vs control (%, {} CI; {})", metric, doc.confidence, direction)
          : fmt::format("Lift of {} vs control (absolute, {} CI; {})", metric, doc.confidence, direction);
  return "<figure class=\"plot forest\">" + ForestPlotSvg(forest, axis, relative) + "</figure>";
}

// ---------------------------------------------------------------------------
// Sections.

void RenderHeader(const Document& doc, std::string& out) {
  const Json& experiment = ObjectAt(doc.results, "experiment");
  out += "<header class=\"top\"><div class=\"wrap\">";
  out += "<div class=\"kicker\">reclift experiment report</div>";
  out += "<h1>" + Esc(experiment, "name", "experiment") + "</h1>";
  const std::string description = StringAt(experiment, "description");
  if (!description.empty()) out += "<p class=\"lede\">" + EscapeHtml(description) + "</p>";
  std::vector<std::string> facts;
  const std::string started = StringAt(experiment, "started_at");
  if (!started.empty()) facts.push_back("run " + EscapeHtml(started));
  const double seconds = NumberAt(experiment, "seconds");
  if (std::isfinite(seconds)) facts.push_back("took " + FormatSeconds(seconds));
  const Json& dataset = ObjectAt(doc.results, "dataset");
  if (!dataset.empty()) {
    facts.push_back(Esc(dataset, "name", "dataset") + " (" + FormatCount(NumberAt(dataset, "users")) +
                    " users, " + FormatCount(NumberAt(dataset, "items")) + " items)");
  }
  if (!doc.control.empty()) facts.push_back("control <b>" + EscapeHtml(doc.control) + "</b>");
  facts.push_back(fmt::format("{} arms", doc.ok_arms.size() + doc.failed_arms.size()));
  facts.push_back("reclift " + Esc(doc.results, "reclift_version", "?"));
  out += "<p class=\"facts\">";
  for (size_t i = 0; i < facts.size(); ++i) out += (i ? "<span class=\"sep\">\u00B7</span>" : "") + facts[i];
  out += "</p></div></header>\n";
}

void RenderNav(const Document& doc, std::string& out, bool has_segments) {
  std::vector<std::pair<std::string, std::string>> links = {{"summary", "Summary"}};
  if (has_segments) links.emplace_back("segments", "Segments");
  links.emplace_back("metrics", "Metrics");
  if (Find(doc.results, "cold_start_users") != nullptr || Find(doc.results, "cold_start") != nullptr) {
    links.emplace_back("cold-start", "Cold start");
  }
  if (Find(doc.results, "cold_start_items") != nullptr) links.emplace_back("cold-start-items", "New items");
  if (Find(doc.results, "diversity") != nullptr) links.emplace_back("diversity", "Diversity");
  if (Find(doc.results, "ope") != nullptr) links.emplace_back("ope", "Off-policy");
  links.emplace_back("cost", "Cost");
  links.emplace_back("data", "Data & split");
  if (!doc.failed_arms.empty()) links.emplace_back("failures", "Failed arms");
  links.emplace_back("warnings", "Warnings");
  links.emplace_back("appendix", "Reproducibility");
  out += "<nav class=\"toc\"><div class=\"wrap\">";
  for (const auto& [id, text] : links) out += "<a href=\"#" + id + "\">" + text + "</a>";
  out += "</div></nav>\n";
}

void RenderSummary(const Document& doc, std::string& out) {
  out += "<section id=\"summary\"><h2>Summary</h2>";
  if (doc.primary.empty()) {
    out += "<p class=\"note\">No metric was evaluated.</p></section>\n";
    return;
  }
  const std::string primary = EscapeHtml(doc.primary);
  out += fmt::format(
      "<p class=\"lead\">Verdict on the primary metric <b>{}</b> ({}), each treatment against "
      "the control <b>{}</b>, {} confidence, {}.",
      primary, doc.HigherIsBetter(doc.primary) ? "higher is better" : "lower is better",
      EscapeHtml(doc.control), doc.confidence,
      StringAt(doc.ab, "correction", "none") == "holm" ? "Holm-corrected p-values"
      : StringAt(doc.ab, "correction", "none") == "bh" ? "Benjamini-Hochberg-corrected p-values"
                                                       : "uncorrected p-values");
  const std::string counts = VerdictCounts(doc, doc.primary);
  if (!counts.empty()) out += " Treatments: " + counts + ".";
  out += "</p>";
  if (doc.control_arm == nullptr) {
    out += doc.control.empty() ? "<p class=\"note\">No comparison: the experiment sets no control arm.</p>"
                               : "<p class=\"note\">No comparison: the control arm <b>" +
                                     EscapeHtml(doc.control) + "</b> did not complete.</p>";
    out += "</section>\n";
    return;
  }
  if (doc.treatments.empty()) {
    out += "<p class=\"note\">No treatment arm completed.</p></section>\n";
    return;
  }
  out += "<div class=\"cards\">";
  const double control_mean = NumberAt(ObjectAt(ObjectAt(*doc.control_arm, "metrics"), doc.primary), "mean");
  for (const Json* arm : doc.treatments) {
    const Json* c = doc.Comparison(*arm, doc.primary);
    const std::string verdict = c == nullptr ? "" : StringAt(*c, "verdict");
    const char* tone = IsBetter(verdict) ? "better" : IsWorse(verdict) ? "worse" : "none";
    out += fmt::format("<div class=\"card {}\"><div class=\"card-arm\" title=\"{}\">{}</div>", tone,
                       Esc(*arm, "name"), Esc(*arm, "name"));
    if (c == nullptr) {
      out += "<div class=\"card-lift\">" + std::string(kMissing) +
             "</div><div class=\"card-ci\">no comparison on " + primary + "</div></div>";
      continue;
    }
    const double relative = NumberAt(*c, "relative_lift");
    if (std::isfinite(relative)) {
      out += "<div class=\"card-lift\">" + FormatSignedPercent(relative) + "</div>";
      out += "<div class=\"card-ci\">" + doc.confidence + " CI " +
             Interval(NumberAt(*c, "relative_lift_ci_low"), NumberAt(*c, "relative_lift_ci_high"),
                      FormatSignedPercent) +
             "</div>";
    } else {
      out += "<div class=\"card-lift\">" + FormatSignedMetric(NumberAt(*c, "lift")) + "</div>";
      out += "<div class=\"card-ci\">" + doc.confidence + " CI " +
             Interval(NumberAt(*c, "lift_ci_low"), NumberAt(*c, "lift_ci_high"), FormatSignedMetric) +
             "</div>";
    }
    out += "<div class=\"card-verdict\">" + VerdictBadge(verdict) + "</div>";
    double treatment_mean = NumberAt(*c, "treatment_mean");
    if (!std::isfinite(treatment_mean)) {
      treatment_mean = NumberAt(ObjectAt(ObjectAt(*arm, "metrics"), doc.primary), "mean");
    }
    double base = NumberAt(*c, "control_mean");
    if (!std::isfinite(base)) base = control_mean;
    out += fmt::format("<div class=\"card-detail\">{} vs {} (control)<br>lift {} \u00B7 {} {}</div></div>",
                       FormatMetric(treatment_mean), FormatMetric(base),
                       FormatSignedMetric(NumberAt(*c, "lift")), doc.p_label,
                       FormatPValue(NumberAt(*c, "p_value_adjusted")));
  }
  out += "</div>";
  const std::string forest = MetricForestPlot(doc, doc.primary);
  if (!forest.empty()) {
    out += "<h3>Lift on " + primary + " by treatment</h3>" + forest;
    out += "<p class=\"caption\">Each row is a treatment against the control <b>" + EscapeHtml(doc.control) +
           "</b>; whiskers are " + doc.confidence +
           " bootstrap intervals. Filled triangles mark significant results after correction; a hollow "
           "circle, no detectable difference.</p>";
  }
  out += "</section>\n";
}

// A small strip showing an arm's mean and interval on the scale shared by
// every arm of the metric, so the table reads like a chart.
std::string IntervalStrip(double mean, double low, double high, double axis_low, double axis_high,
                          bool is_control) {
  if (!std::isfinite(mean) || !(axis_high > axis_low)) return "";
  const double width = 120, height = 14;
  auto x_of = [&](double v) { return 4 + (v - axis_low) / (axis_high - axis_low) * (width - 8); };
  std::string svg = fmt::format(
      R"svg(<svg class="strip" width="{0}" height="{1}" viewBox="0 0 {0} {1}" aria-hidden="true">)svg",
      Px(width), Px(height));
  svg += fmt::format(R"svg(<line x1="4" x2="{}" y1="7" y2="7" stroke="#E5E7EB"/>)svg", Px(width - 4));
  if (std::isfinite(low) && std::isfinite(high)) {
    svg += fmt::format(R"svg(<line x1="{}" x2="{}" y1="7" y2="7" stroke="#374151" stroke-width="2"/>)svg",
                       Px(x_of(low)), Px(x_of(high)));
  }
  svg += is_control ? fmt::format(R"svg(<rect x="{}" y="3" width="8" height="8" fill="#111827"/>)svg",
                                  Px(x_of(mean) - 4))
                    : fmt::format(R"svg(<circle cx="{}" cy="7" r="4" fill="#111827"/>)svg", Px(x_of(mean)));
  return svg + "</svg>";
}

std::string MetricTable(const Document& doc, const Column& column) {
  std::vector<const Json*> rows;
  if (doc.control_arm != nullptr) rows.push_back(doc.control_arm);
  rows.insert(rows.end(), doc.treatments.begin(), doc.treatments.end());
  double axis_low = std::numeric_limits<double>::infinity(), axis_high = -axis_low;
  for (const Json* arm : rows) {
    const Json& summary = ObjectAt(ObjectAt(*arm, "metrics"), column.name);
    for (const char* key : {"mean", "ci_low", "ci_high"}) {
      const double v = NumberAt(summary, key);
      if (std::isfinite(v)) axis_low = std::min(axis_low, v), axis_high = std::max(axis_high, v);
    }
  }
  const double pad = (axis_high - axis_low) * 0.05;
  axis_low -= pad, axis_high += pad;

  std::string out = "<div class=\"table-wrap\"><table class=\"sortable metric\"><thead><tr>";
  out += "<th>Arm</th><th class=\"num\">Mean [" + doc.confidence +
         " CI]</th><th class=\"strip-col\">Interval</th>";
  if (column.per_user) {
    out += "<th class=\"num\">Lift [CI]</th><th class=\"num\">Relative lift [CI]</th><th class=\"num\">" +
           doc.p_label + "</th><th>Verdict</th>";
  }
  out += "</tr></thead><tbody>";
  for (const Json* arm : rows) {
    const Json& summary = ObjectAt(ObjectAt(*arm, "metrics"), column.name);
    const bool is_control = arm == doc.control_arm;
    const double mean = NumberAt(summary, "mean");
    const double low = NumberAt(summary, "ci_low"), high = NumberAt(summary, "ci_high");
    out += "<tr" + std::string(is_control ? " class=\"control\"" : "") + "><td class=\"arm\">" +
           Esc(*arm, "name") + (is_control ? " <span class=\"tag\">control</span>" : "") + "</td>";
    out += NumberCell(
        FormatMetric(mean) + " <span class=\"ci\">" + Interval(low, high, FormatMetric) + "</span>", mean);
    out += "<td class=\"strip-col\">" + IntervalStrip(mean, low, high, axis_low, axis_high, is_control) +
           "</td>";
    if (!column.per_user) {
      out += "</tr>";
      continue;
    }
    const Json* c = is_control ? nullptr : doc.Comparison(*arm, column.name);
    if (c == nullptr) {
      out += "<td></td><td></td><td></td><td>" +
             std::string(is_control ? "" : "<span class=\"muted\">no comparison</span>") + "</td></tr>";
      continue;
    }
    const double lift = NumberAt(*c, "lift"), relative = NumberAt(*c, "relative_lift");
    const double p = NumberAt(*c, "p_value_adjusted");
    out += NumberCell(
        FormatSignedMetric(lift) + " <span class=\"ci\">" +
            Interval(NumberAt(*c, "lift_ci_low"), NumberAt(*c, "lift_ci_high"), FormatSignedMetric) +
            "</span>",
        lift);
    out += NumberCell(FormatSignedPercent(relative) + " <span class=\"ci\">" +
                          Interval(NumberAt(*c, "relative_lift_ci_low"),
                                   NumberAt(*c, "relative_lift_ci_high"), FormatSignedPercent) +
                          "</span>",
                      relative);
    out += NumberCell(FormatPValue(p), p);
    const std::string verdict = StringAt(*c, "verdict");
    out += fmt::format("<td data-sort=\"{}\">{}</td></tr>",
                       IsBetter(verdict)  ? 1
                       : IsWorse(verdict) ? -1
                                          : 0,
                       VerdictBadge(verdict));
  }
  out += "</tbody></table></div>";
  return out;
}

void RenderMetrics(const Document& doc, std::string& out) {
  out += "<section id=\"metrics\"><h2>Metrics</h2>";
  if (doc.ok_arms.empty() || doc.columns.empty()) {
    out += "<p class=\"note\">No arm completed, so there are no metrics to show.</p></section>\n";
    return;
  }
  out +=
      "<p class=\"hint\">Click a column header to sort. Lifts are treatment minus control over the same "
      "users; intervals are " +
      doc.confidence + " confidence intervals.</p>";
  const Column* primary = doc.FindColumn(doc.primary);
  std::vector<const Column*> ordered;
  if (primary != nullptr) ordered.push_back(primary);
  for (const Column& column : doc.columns) {
    if (&column != primary) ordered.push_back(&column);
  }
  for (size_t i = 0; i < ordered.size(); ++i) {
    const Column& column = *ordered[i];
    const bool is_primary = &column == primary;
    const std::string counts = VerdictCounts(doc, column.name);
    out += fmt::format("<details class=\"metric\" id=\"{}\"{}><summary><span class=\"metric-name\">{}</span>",
                       Anchor("metric", i), is_primary ? " open" : "", EscapeHtml(column.name));
    if (is_primary) out += " <span class=\"tag primary\">primary</span>";
    out += std::string(" <span class=\"muted\">") + column.DirectionText() +
           (column.per_user ? "" : ", list-level (no per-user test)") + "</span>";
    if (!counts.empty()) out += " <span class=\"counts\">" + counts + "</span>";
    out += "</summary>";
    out += MetricTable(doc, column);
    if (column.per_user && !is_primary) out += MetricForestPlot(doc, column.name);
    out += "</details>";
  }
  out += "</section>\n";
}

// Colour of a heatmap cell: white at no change, towards blue when the
// treatment does better, towards vermillion when worse, saturating at
// `scale`.
std::string HeatColour(double goodness, double scale) {
  const double t = std::min(1.0, std::fabs(goodness) / scale);
  const std::array<int, 3> target =
      goodness >= 0 ? std::array<int, 3>{0x00, 0x72, 0xB2} : std::array<int, 3>{0xD5, 0x5E, 0x00};
  std::array<int, 3> rgb{};
  for (int i = 0; i < 3; ++i) rgb[i] = static_cast<int>(std::lround(255 + (target[i] - 255) * t * 0.9));
  return fmt::format("#{:02X}{:02X}{:02X}", rgb[0], rgb[1], rgb[2]);
}

struct HeatColumn {
  std::string profiler;  // empty: all users
  std::string segment;
  double users = kNaN;
};

void RenderSegments(const Document& doc, std::string& out) {
  const Json& profilers = ArrayAt(doc.results, "profilers");
  if (profilers.empty() || doc.treatments.empty() || doc.control_arm == nullptr) return;
  std::vector<HeatColumn> columns = {
      {"", "all users", NumberAt(ObjectAt(doc.results, "split"), "test_users")}};
  for (const Json& profiler : profilers) {
    const Json& segments = ArrayAt(profiler, "segments");
    const Json& users = ArrayAt(profiler, "users");
    for (size_t s = 0; s < segments.size(); ++s) {
      columns.push_back({StringAt(profiler, "name"),
                         segments[s].is_string() ? segments[s].get<std::string>() : segments[s].dump(),
                         s < users.size() && users[s].is_number() ? users[s].get<double>() : kNaN});
    }
  }
  const bool higher_is_better = doc.HigherIsBetter(doc.primary);
  double scale = 0.05;  // +/-5% is full colour unless lifts are larger
  for (const Json* arm : doc.treatments) {
    for (const HeatColumn& column : columns) {
      const Json* c =
          doc.Comparison(*arm, doc.primary, column.profiler, column.profiler.empty() ? "" : column.segment);
      const double r = c == nullptr ? kNaN : NumberAt(*c, "relative_lift");
      if (std::isfinite(r)) scale = std::max(scale, std::fabs(r));
    }
  }
  scale = std::min(scale, 1.0);

  double label_width = 80;
  for (const Json* arm : doc.treatments)
    label_width = std::max(label_width, TextWidth(StringAt(*arm, "name")));
  label_width = std::min(label_width, 240.0) + 16;
  const double cell_width = 92, cell_height = 36, top = 62;
  // At least as wide as the legend below the grid.
  const double width = label_width + std::max(560.0, cell_width * static_cast<double>(columns.size())) + 16;
  const double grid_bottom = top + cell_height * static_cast<double>(doc.treatments.size());
  const double height = grid_bottom + 70;

  std::string svg = SvgOpen(width, height, "Heatmap: relative lift of " + doc.primary + " by segment");
  svg += R"svg(<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" )svg"
         R"svg(patternTransform="rotate(45)"><rect width="6" height="6" fill="#F3F4F6"/>)svg"
         R"svg(<line x1="0" y1="0" x2="0" y2="6" stroke="#C4C8CF" stroke-width="2"/></pattern>)svg"
         R"svg(<linearGradient id="heat-scale" x1="0" x2="1" y1="0" y2="0">)svg";
  for (int i = 0; i <= 10; ++i) {
    svg +=
        fmt::format(R"svg(<stop offset="{}" stop-color="{}"/>)svg", i / 10.0, HeatColour((i - 5) / 5.0, 1));
  }
  svg += "</linearGradient></defs>";
  // Column headers: profiler above its segments, then the segment and size.
  std::string current_profiler = "\x1f";
  for (size_t j = 0; j < columns.size(); ++j) {
    const double x = label_width + cell_width * static_cast<double>(j);
    const HeatColumn& column = columns[j];
    if (column.profiler != current_profiler) {
      current_profiler = column.profiler;
      size_t span = 0;
      while (j + span < columns.size() && columns[j + span].profiler == column.profiler) ++span;
      const double span_width = cell_width * static_cast<double>(span);
      if (!column.profiler.empty()) {
        svg += SvgLabel(column.profiler, static_cast<size_t>(span_width / 7), x + span_width / 2, 14,
                        "middle", R"svg( class="group")svg");
        svg += fmt::format(R"svg(<path class="bracket" d="M{} 24V20H{}V24" fill="none"/>)svg", Px(x + 4),
                           Px(x + span_width - 4));
      }
    }
    svg += SvgLabel(column.segment, 12, x + cell_width / 2, 38, "middle", R"svg( class="col")svg");
    if (std::isfinite(column.users)) {
      svg += fmt::format(R"svg(<text class="tick" x="{}" y="52" text-anchor="middle">n = {}</text>)svg",
                         Px(x + cell_width / 2), FormatCount(column.users));
    }
  }
  for (size_t i = 0; i < doc.treatments.size(); ++i) {
    const Json& arm = *doc.treatments[i];
    const double y = top + cell_height * static_cast<double>(i);
    svg += SvgLabel(StringAt(arm, "name"), 38, label_width - 10, y + cell_height / 2 + 4, "end",
                    R"svg( class="label")svg");
    for (size_t j = 0; j < columns.size(); ++j) {
      const HeatColumn& column = columns[j];
      const double x = label_width + cell_width * static_cast<double>(j);
      const Json* c =
          doc.Comparison(arm, doc.primary, column.profiler, column.profiler.empty() ? "" : column.segment);
      const double relative = c == nullptr ? kNaN : NumberAt(*c, "relative_lift");
      const std::string verdict = c == nullptr ? "" : StringAt(*c, "verdict");
      const bool significant = IsBetter(verdict) || IsWorse(verdict);
      std::string title = StringAt(arm, "name") + " \u00B7 " +
                          (column.profiler.empty() ? column.segment : column.profiler + " " + column.segment);
      if (c != nullptr) {
        title += fmt::format(": lift {} ({}), {} {}, {}", FormatSignedMetric(NumberAt(*c, "lift")),
                             FormatSignedPercent(relative), doc.p_label,
                             FormatPValue(NumberAt(*c, "p_value_adjusted")), verdict);
      }
      svg += "<g class=\"cell" + std::string(significant ? " significant" : "") + "\"><title>" +
             EscapeHtml(title) + "</title>";
      if (!std::isfinite(relative)) {
        svg += fmt::format(
            R"svg(<rect x="{}" y="{}" width="{}" height="{}" fill="url(#hatch)" stroke="#fff"/>)svg",
            Px(x + 1), Px(y + 1), Px(cell_width - 2), Px(cell_height - 2));
        svg +=
            fmt::format(R"svg(<text class="cell-text" x="{}" y="{}" text-anchor="middle">{}</text></g>)svg",
                        Px(x + cell_width / 2), Px(y + cell_height / 2 + 4), kMissing);
        continue;
      }
      const double goodness = higher_is_better ? relative : -relative;
      const double strength = std::min(1.0, std::fabs(goodness) / scale) * 0.9;
      svg += fmt::format(R"svg(<rect x="{}" y="{}" width="{}" height="{}" fill="{}" {}/>)svg", Px(x + 1),
                         Px(y + 1), Px(cell_width - 2), Px(cell_height - 2), HeatColour(goodness, scale),
                         significant ? R"(stroke="#111827" stroke-width="2.5")" : R"(stroke="#ffffff")");
      const std::string glyph = IsBetter(verdict) ? "\u25B2 " : IsWorse(verdict) ? "\u25BC " : "";
      svg +=
          fmt::format(R"svg(<text class="cell-text{}" x="{}" y="{}" text-anchor="middle">{}{}</text></g>)svg",
                      strength > 0.55 ? " light" : "", Px(x + cell_width / 2), Px(y + cell_height / 2 + 4),
                      glyph, FormatSignedPercent(relative));
    }
  }
  // Legend: the colour scale, and what an outline and hatching mean.
  const double legend_y = grid_bottom + 26;
  const double bar_x = label_width;
  svg += "<g class=\"legend\">";
  svg += fmt::format(R"svg(<text x="{}" y="{}" text-anchor="end">worse</text>)svg", Px(bar_x - 6),
                     Px(legend_y + 10));
  svg += fmt::format(
      R"svg(<rect x="{}" y="{}" width="180" height="12" fill="url(#heat-scale)" stroke="#9CA3AF"/>)svg",
      Px(bar_x), Px(legend_y));
  svg += fmt::format(R"svg(<text x="{}" y="{}">better</text>)svg", Px(bar_x + 186), Px(legend_y + 10));
  for (const double v : {-scale, 0.0, scale}) {
    svg += fmt::format(R"svg(<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>)svg",
                       Px(bar_x + 90 + 90 * v / scale), Px(legend_y + 26),
                       v == 0 ? std::string("0%") : FormatSignedPercent(higher_is_better ? v : -v));
  }
  const double key_x = bar_x + 250;
  svg += fmt::format(
      R"svg(<rect x="{}" y="{}" width="22" height="14" fill="#fff" stroke="#111827" stroke-width="2.5"/>)svg",
      Px(key_x), Px(legend_y - 1));
  svg += fmt::format("<text x=\"{}\" y=\"{}\">\u25B2/\u25BC significant after correction</text>",
                     Px(key_x + 30), Px(legend_y + 10));
  svg += fmt::format(R"svg(<rect x="{}" y="{}" width="22" height="14" fill="url(#hatch)"/>)svg", Px(key_x),
                     Px(legend_y + 20));
  svg += fmt::format(R"svg(<text x="{}" y="{}">no comparison</text>)svg", Px(key_x + 30), Px(legend_y + 31));
  svg += "</g></svg>";

  out += "<section id=\"segments\"><h2>" + EscapeHtml(doc.primary) + " by segment</h2>";
  out +=
      "<p class=\"lead\">Relative lift of each treatment over the control within each user segment. "
      "Outlined cells with a triangle are significant after correction; a reversal against the overall "
      "column is worth a closer look.</p>";
  out += "<figure class=\"plot heatmap\"><div class=\"scroll\">" + svg + "</div></figure></section>\n";
}

// Styles series by the arms' declared order, so an arm keeps its colour and
// marker across charts; names the run does not know come after, and the
// series are drawn and listed in that order.
void StyleByArm(const Document& doc, std::vector<XySeries>& series) {
  std::vector<std::string> order;
  for (const Json& arm : ArrayAt(doc.results, "arms")) order.push_back(StringAt(arm, "name"));
  for (XySeries& s : series) {
    auto it = std::find(order.begin(), order.end(), s.name);
    if (it == order.end()) it = order.insert(order.end(), s.name);
    s.style = static_cast<size_t>(it - order.begin());
  }
  std::stable_sort(series.begin(), series.end(),
                   [](const XySeries& a, const XySeries& b) { return a.style < b.style; });
}

// One cold-start learning curve chart from {"<arm>": {"mean", "ci_low",
// "ci_high"}} over `shots`; arms without a finite mean are left out.
std::string ColdStartChart(const Document& doc, const Json& shots, const Json& arms,
                           const std::string& metric, const std::string& aria_label) {
  std::vector<XySeries> series;
  for (const auto& [arm, values] : arms.items()) {
    XySeries s{arm, {}};
    const Json& mean = ArrayAt(values, "mean");
    const Json& low = ArrayAt(values, "ci_low");
    const Json& high = ArrayAt(values, "ci_high");
    auto at = [](const Json& array, size_t i) {
      return i < array.size() && array[i].is_number() ? array[i].get<double>() : kNaN;
    };
    bool any = false;
    for (size_t i = 0; i < shots.size(); ++i) {
      s.points.push_back({at(shots, i), at(mean, i), at(low, i), at(high, i), ""});
      any = any || std::isfinite(at(mean, i));
    }
    if (any) series.push_back(std::move(s));
  }
  StyleByArm(doc, series);
  return XyChartSvg(series, "Interactions known per cold-start user (shots)",
                    metric + " (mean \u00B1 " + doc.confidence + " CI)", 1060, true, aria_label);
}

// "3", or a dash for null.
std::string ShotText(const Json* value) {
  return value != nullptr && value->is_number() ? fmt::format("{:g}", value->get<double>())
                                                : std::string(kMissing);
}

// The "cold_start_users" section (scenarios/cold_start_users.h): one chart
// and one table per mode.
void RenderColdStartUsers(const Document& doc, const Json& section, std::string& out) {
  const Json& shots = ArrayAt(section, "shots");
  const std::string metric = StringAt(section, "metric", doc.primary);
  const std::string reference = StringAt(section, "reference");
  out += "<section id=\"cold-start\"><h2>Cold start: new users</h2>";
  if (const std::string error = StringAt(section, "error"); !error.empty()) {
    out += "<p class=\"note\">The scenario could not run: " + EscapeHtml(error) + "</p></section>\n";
    return;
  }
  out += fmt::format(
      "<p class=\"lead\">How quickly each arm learns a new user: {} when only the user's first N "
      "interactions are known. {} users ({:g}% of the {} with more interactions than the largest N) were "
      "held "
      "out of training entirely; each is evaluated on the same later interactions ({} relevant) at every N, "
      "in {} order. Steeper and higher is better.</p>",
      EscapeHtml(metric), FormatCount(NumberAt(section, "users")), NumberAt(section, "user_fraction") * 100,
      FormatCount(NumberAt(section, "eligible_users")), FormatCount(NumberAt(section, "targets")),
      Esc(section, "order", "?"));
  for (const Json& mode : ArrayAt(section, "modes")) {
    const std::string name = StringAt(mode, "mode");
    const Json& arms = ObjectAt(mode, "arms");
    out += name == "fold-in" ? "<h3>Fold-in: scored from the N interactions, without retraining</h3>"
                             : "<h3>Retrained with the N interactions</h3>";
    const std::string svg = ColdStartChart(doc, shots, arms, metric,
                                           "Cold-start learning curves of " + metric + " (" + name + ")");
    if (!svg.empty()) out += "<figure class=\"plot\">" + svg + "</figure>";
    out += "<div class=\"table-wrap\"><table class=\"sortable metric\"><thead><tr><th>Arm</th>";
    for (const Json& n : shots) out += "<th class=\"num\">N = " + ShotText(&n) + "</th>";
    if (!reference.empty()) {
      out += "<th class=\"num\">Above " + EscapeHtml(reference) +
             " from N</th><th class=\"num\">Significantly from N</th>";
    }
    out += "</tr></thead><tbody>";
    for (const auto& [arm, values] : arms.items()) {
      const std::string status = StringAt(values, "status", "ok");
      out += "<tr><td class=\"arm\">" + EscapeHtml(arm) +
             (arm == reference ? " <span class=\"tag\">reference</span>" : "");
      if (status != "ok") {
        out += " <span class=\"muted\">" + EscapeHtml(status) + "</span>";
      }
      if (const std::string error = StringAt(values, "error"); !error.empty()) {
        out += "<br><span class=\"muted\">" + EscapeHtml(error) + "</span>";
      }
      out += "</td>";
      const Json& mean = ArrayAt(values, "mean");
      const Json& low = ArrayAt(values, "ci_low");
      const Json& high = ArrayAt(values, "ci_high");
      for (size_t i = 0; i < shots.size(); ++i) {
        auto at = [&](const Json& a) { return i < a.size() && a[i].is_number() ? a[i].get<double>() : kNaN; };
        out += NumberCell(FormatMetric(at(mean)) + " <span class=\"ci\">" +
                              Interval(at(low), at(high), FormatMetric) + "</span>",
                          at(mean));
      }
      if (!reference.empty()) {
        if (arm == reference) {
          out += "<td></td><td></td>";
        } else {
          const Json* plain = Find(values, "overtakes_reference_at");
          const Json* significant = Find(values, "significantly_overtakes_reference_at");
          out +=
              NumberCell(status == "ok" ? (plain != nullptr && plain->is_number() ? ShotText(plain) : "never")
                                        : std::string(kMissing),
                         plain != nullptr && plain->is_number() ? plain->get<double>() : kNaN);
          out += NumberCell(
              status == "ok"
                  ? (significant != nullptr && significant->is_number() ? ShotText(significant) : "never")
                  : std::string(kMissing),
              significant != nullptr && significant->is_number() ? significant->get<double>() : kNaN);
        }
      }
      out += "</tr>";
    }
    out += "</tbody></table></div>";
  }
  if (!reference.empty()) {
    out +=
        "<p class=\"lead\">\u201cAbove from N\u201d: the smallest N from which the arm's mean stays above " +
        EscapeHtml(reference) +
        "'s at every larger N of the sweep; \u201csignificantly\u201d: the same for the " + doc.confidence +
        " interval of the paired per-user difference.</p>";
  }
  out += "</section>\n";
}

void RenderColdStart(const Document& doc, std::string& out) {
  if (const Json* users = Find(doc.results, "cold_start_users"); users != nullptr && users->is_object()) {
    RenderColdStartUsers(doc, *users, out);
    return;
  }
  const Json* section = Find(doc.results, "cold_start");
  if (section == nullptr || !section->is_object()) return;
  const std::string metric = StringAt(*section, "metric", doc.primary);
  const std::string svg = ColdStartChart(doc, ArrayAt(*section, "shots"), ObjectAt(*section, "arms"), metric,
                                         "Cold-start learning curves of " + metric);
  if (svg.empty()) return;
  out += "<section id=\"cold-start\"><h2>Cold start</h2>";
  out +=
      "<p class=\"lead\">How quickly each arm learns a new user: " + EscapeHtml(metric) +
      " when only the first few interactions of a held-out user are known. Steeper and higher is better.</p>";
  out += "<figure class=\"plot\">" + svg + "</figure></section>\n";
}

// The "cold_start_items" section (scenarios/cold_start_items.h): a table of
// the arms on the new items, then overall.
void RenderColdStartItems(const Document& doc, std::string& out) {
  const Json* section = Find(doc.results, "cold_start_items");
  if (section == nullptr || !section->is_object()) return;
  out += "<section id=\"cold-start-items\"><h2>Cold start: new items</h2>";
  if (const std::string error = StringAt(*section, "error"); !error.empty()) {
    out += "<p class=\"note\">The scenario could not run: " + EscapeHtml(error) + "</p></section>\n";
    return;
  }
  out += fmt::format(
      "<p class=\"lead\">{} items ({:g}% of the catalogue) were held out of training entirely ({} training "
      "interactions removed) and kept in the catalogue with their features. New-item metrics count only "
      "the new items as relevant, over the {} users with a relevant new item; the share is of list slots "
      "given to new items over all {} users; coverage is the share of new items shown to anyone.</p>",
      FormatCount(NumberAt(*section, "new_items")), NumberAt(*section, "item_fraction") * 100,
      FormatCount(NumberAt(*section, "train_interactions_removed")),
      FormatCount(NumberAt(*section, "users_with_new_relevant")), FormatCount(NumberAt(*section, "users")));
  // new-item recall and nDCG, then the share and coverage, then the primary overall
  std::vector<std::string> new_metrics;
  for (const Json& name : ArrayAt(*section, "new_item_metrics")) {
    if (!name.is_string()) continue;
    const std::string n = name.get<std::string>();
    if (n.rfind("recall@", 0) == 0 || n.rfind("ndcg@", 0) == 0) new_metrics.push_back(n);
  }
  std::vector<std::string> shares, coverages;
  for (const Json& arm : ArrayAt(*section, "arms")) {
    for (const auto& [key, value] : ObjectAt(arm, "new_item_share").items()) {
      if (std::find(shares.begin(), shares.end(), key) == shares.end()) shares.push_back(key);
    }
    for (const auto& [key, value] : ObjectAt(arm, "new_item_coverage").items()) {
      if (std::find(coverages.begin(), coverages.end(), key) == coverages.end()) coverages.push_back(key);
    }
  }
  out += "<div class=\"table-wrap\"><table class=\"sortable metric\"><thead><tr><th>Arm</th>";
  for (const std::string& m : new_metrics) out += "<th class=\"num\">new-item " + EscapeHtml(m) + "</th>";
  for (const std::string& m : shares) out += "<th class=\"num\">" + EscapeHtml(m) + "</th>";
  for (const std::string& m : coverages) out += "<th class=\"num\">" + EscapeHtml(m) + "</th>";
  out += "<th class=\"num\">overall " + EscapeHtml(doc.primary) + "</th></tr></thead><tbody>";
  auto summary_cell = [&](const Json& summary) {
    const double mean = NumberAt(summary, "mean");
    return NumberCell(FormatMetric(mean) + " <span class=\"ci\">" +
                          Interval(NumberAt(summary, "ci_low"), NumberAt(summary, "ci_high"), FormatMetric) +
                          "</span>",
                      mean);
  };
  for (const Json& arm : ArrayAt(*section, "arms")) {
    const bool failed = StringAt(arm, "status", "ok") != "ok";
    out += "<tr><td class=\"arm\">" + Esc(arm, "name");
    if (const std::string note = StringAt(arm, "note"); !note.empty()) {
      out += " <span class=\"tag\">" + EscapeHtml(note) + "</span>";
    }
    if (failed) out += "<br><span class=\"muted\">failed: " + Esc(arm, "error") + "</span>";
    out += "</td>";
    for (const std::string& m : new_metrics) out += summary_cell(ObjectAt(ObjectAt(arm, "new_items"), m));
    for (const std::string& m : shares) out += summary_cell(ObjectAt(ObjectAt(arm, "new_item_share"), m));
    for (const std::string& m : coverages) {
      const double v = NumberAt(ObjectAt(arm, "new_item_coverage"), m);
      out += NumberCell(FormatMetric(v), v);
    }
    out += summary_cell(ObjectAt(ObjectAt(arm, "overall"), doc.primary));
    out += "</tr>";
  }
  out += "</tbody></table></div>";
  out +=
      "<p class=\"lead\">An arm marked \u201cdoes not use item features\u201d cannot know anything about a "
      "new "
      "item: what it shows of them comes from ties and defaults, not from the items.</p></section>\n";
}

// A diversity point's run: "mmr (features)", "calibration".
std::string RunLabel(const Json& point) {
  const std::string reranker = StringAt(point, "reranker");
  const std::string similarity = StringAt(point, "similarity");
  return similarity.empty() ? reranker : reranker + " (" + similarity + ")";
}

void RenderDiversity(const Document& doc, std::string& out) {
  const Json* section = Find(doc.results, "diversity");
  if (section == nullptr || !section->is_object()) return;
  const Json& points = ArrayAt(*section, "points");
  if (const std::string error = StringAt(*section, "error"); !error.empty() && points.empty()) {
    out +=
        "<section id=\"diversity\"><h2>Accuracy and diversity</h2><p class=\"note\">The scenario could not "
        "run: " +
        EscapeHtml(error) + "</p></section>\n";
    return;
  }
  // Metric keys: the section's list, else in order of first appearance.
  std::vector<std::string> metrics;
  for (const Json& name : ArrayAt(*section, "metrics")) {
    if (name.is_string()) metrics.push_back(name.get<std::string>());
  }
  if (metrics.empty()) {
    for (const Json& point : points) {
      if (!point.is_object()) continue;
      for (const auto& [key, value] : point.items()) {
        if (key == "arm" || key == "lambda" || key == "users" || !value.is_number()) continue;
        if (std::find(metrics.begin(), metrics.end(), key) == metrics.end()) metrics.push_back(key);
      }
    }
  }
  if (metrics.size() < 2) return;
  std::string accuracy = StringAt(*section, "accuracy");
  if (std::find(metrics.begin(), metrics.end(), accuracy) == metrics.end()) {
    accuracy = metrics.front();
    if (std::find(metrics.begin(), metrics.end(), doc.primary) != metrics.end()) accuracy = doc.primary;
  }
  const Json& directions = ObjectAt(*section, "higher_is_better");
  auto higher_is_better = [&](const std::string& metric) {
    const Json* d = Find(directions, metric);
    return d != nullptr && d->is_boolean() ? d->get<bool>() : doc.HigherIsBetter(metric);
  };
  std::vector<std::string> runs, arms;
  for (const Json& point : points) {
    const std::string run = RunLabel(point), arm = StringAt(point, "arm");
    if (std::find(runs.begin(), runs.end(), run) == runs.end()) runs.push_back(run);
    if (std::find(arms.begin(), arms.end(), arm) == arms.end()) arms.push_back(arm);
  }
  auto run_panels = [&](const std::string& run) {
    std::string panels;
    for (const std::string& metric : metrics) {
      if (metric == accuracy) continue;
      std::vector<XySeries> series;
      for (const std::string& arm : arms) {
        XySeries s{arm, {}};
        std::vector<std::pair<double, XyPoint>> ordered;
        for (const Json& point : points) {
          if (StringAt(point, "arm") != arm || RunLabel(point) != run) continue;
          const double lambda = NumberAt(point, "lambda");
          ordered.push_back({lambda,
                             {NumberAt(point, metric), NumberAt(point, accuracy), kNaN, kNaN,
                              std::isfinite(lambda) ? fmt::format("\u03BB={:g}", lambda) : ""}});
        }
        std::stable_sort(ordered.begin(), ordered.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& [lambda, point] : ordered) s.points.push_back(std::move(point));
        series.push_back(std::move(s));
      }
      StyleByArm(doc, series);
      const std::string svg = XyChartSvg(
          series,
          metric + (higher_is_better(metric) ? " (diversity, higher is more diverse)" : " (lower is better)"),
          accuracy + " (accuracy)", 540, false, "Trade-off of " + accuracy + " against " + metric);
      if (!svg.empty()) panels += "<figure class=\"plot\">" + svg + "</figure>";
    }
    return panels;
  };
  out += "<section id=\"diversity\"><h2>Accuracy and diversity</h2>";
  const std::string reranker = StringAt(*section, "reranker");
  out +=
      "<p class=\"lead\">Each line is an arm re-ranked" +
      (reranker.empty() ? std::string() : " by <b>" + EscapeHtml(reranker) + "</b>") +
      " at increasing diversity weight \u03BB; up and to the right is better on both. The flatter the line, "
      "the cheaper diversity is in accuracy.</p>";
  for (const Json& run : ArrayAt(*section, "runs")) {
    if (const std::string error = StringAt(run, "error"); !error.empty()) {
      out += "<p class=\"note\">" + Esc(run, "reranker") + ": " + EscapeHtml(error) + "</p>";
    }
  }
  for (const auto& [arm, status] : ObjectAt(*section, "arms").items()) {
    if (StringAt(status, "status", "ok") != "ok") {
      out += "<p class=\"note\">Arm " + EscapeHtml(arm) + " failed: " + Esc(status, "error") + "</p>";
    }
  }
  if (runs.size() <= 1) {
    out += "<div class=\"panels\">" + run_panels(runs.empty() ? "" : runs.front()) + "</div>";
  } else {
    for (const std::string& run : runs) {
      out +=
          "<h3>Re-ranked by " + EscapeHtml(run) + "</h3><div class=\"panels\">" + run_panels(run) + "</div>";
    }
  }
  // Pareto-best settings, then every point.
  const Json& pareto = ObjectAt(*section, "pareto");
  if (!pareto.empty()) {
    out +=
        "<h3>Pareto-best settings</h3><p class=\"lead\">For each metric, the settings no other setting beats "
        "on both it and " +
        EscapeHtml(accuracy) +
        ".</p><div class=\"table-wrap\"><table><thead><tr>"
        "<th>Against</th><th>Settings not dominated</th></tr></thead><tbody>";
    for (const auto& [metric, best] : pareto.items()) {
      std::string cell;
      for (const Json& p : best) {
        if (!cell.empty()) cell += ", ";
        cell += Esc(p, "arm") + " \u00B7 " + EscapeHtml(RunLabel(p)) +
                fmt::format(" \u03BB={:g}", NumberAt(p, "lambda"));
      }
      out += "<tr><td>" + EscapeHtml(metric) + "</td><td>" + (cell.empty() ? std::string(kMissing) : cell) +
             "</td></tr>";
    }
    out += "</tbody></table></div>";
  }
  out += "<details class=\"metric\"><summary>Every setting (" + std::to_string(points.size()) +
         ")</summary><div class=\"table-wrap\"><table class=\"sortable\"><thead><tr><th>Arm</th><th>Re-ranker"
         "</th><th class=\"num\">\u03BB</th>";
  for (const std::string& metric : metrics) out += "<th class=\"num\">" + EscapeHtml(metric) + "</th>";
  out += "</tr></thead><tbody>";
  for (const Json& point : points) {
    const double lambda = NumberAt(point, "lambda");
    out += "<tr><td class=\"arm\">" + Esc(point, "arm") + "</td><td>" + EscapeHtml(RunLabel(point)) +
           "</td>" + NumberCell(fmt::format("{:g}", lambda), lambda);
    for (const std::string& metric : metrics) {
      const double v = NumberAt(point, metric);
      out += NumberCell(FormatMetric(v), v);
    }
    out += "</tr>";
  }
  out += "</tbody></table></div></details></section>\n";
}

void RenderCost(const Document& doc, std::string& out) {
  const Json& arms = ArrayAt(doc.results, "arms");
  if (arms.empty()) return;
  out += "<section id=\"cost\"><h2>Cost</h2>";
  out +=
      "<div class=\"table-wrap\"><table "
      "class=\"sortable\"><thead><tr><th>Arm</th><th>Plugin</th><th>Status</th>"
      "<th class=\"num\">Fit time</th><th class=\"num\">Evaluation time</th><th class=\"num\">Peak memory"
      "</th><th class=\"num\">Model memory</th><th class=\"num\">Users evaluated</th></tr></thead><tbody>";
  for (const Json& arm : arms) {
    const bool failed = StringAt(arm, "status", "ok") == "failed";
    out += "<tr><td class=\"arm\">" + Esc(arm, "name") + "</td><td><code>" +
           Esc(arm, "plugin", StringAt(arm, "recommender")) + "</code></td><td>" +
           (failed ? "<span class=\"badge worse\">failed</span>" : "ok") + "</td>";
    const double fit = NumberAt(arm, "fit_seconds"), eval = NumberAt(arm, "eval_seconds");
    const double peak = NumberAt(arm, "peak_rss_bytes"), model = NumberAt(arm, "model_rss_bytes");
    out += NumberCell(FormatSeconds(fit), fit) + NumberCell(FormatSeconds(eval), eval) +
           NumberCell(FormatBytes(peak), peak) + NumberCell(FormatBytes(model), model) +
           NumberCell(FormatCount(NumberAt(arm, "users_evaluated")), NumberAt(arm, "users_evaluated")) +
           "</tr>";
  }
  out +=
      "</tbody></table></div><p class=\"caption\">Peak memory is the process's resident set size while "
      "the arm ran; model memory is what the fitted model added.</p></section>\n";
}

void Fact(std::string& out, std::string_view name, const std::string& value) {
  if (value.empty() || value == kMissing) return;
  out += "<dt>" + std::string(name) + "</dt><dd>" + value + "</dd>";
}

void RenderData(const Document& doc, std::string& out) {
  const Json& dataset = ObjectAt(doc.results, "dataset");
  const Json& split = ObjectAt(doc.results, "split");
  out += "<section id=\"data\"><h2>Dataset and split</h2><div class=\"facts-grid\">";
  out += "<div><h3>Dataset</h3><dl>";
  Fact(out, "Name", Esc(dataset, "name"));
  Fact(out, "Format", Esc(dataset, "format"));
  Fact(out, "Users", FormatCount(NumberAt(dataset, "users")));
  Fact(out, "Items", FormatCount(NumberAt(dataset, "items")));
  Fact(out, "Interactions", FormatCount(NumberAt(dataset, "interactions")));
  const double users = NumberAt(dataset, "users"), items = NumberAt(dataset, "items");
  const double interactions = NumberAt(dataset, "interactions");
  if (users > 0 && items > 0 && std::isfinite(interactions)) {
    Fact(out, "Density", fmt::format("{:.3f}%", 100 * interactions / (users * items)));
  }
  const Json* is_explicit = Find(dataset, "explicit");
  if (is_explicit != nullptr && is_explicit->is_boolean()) {
    std::string feedback = is_explicit->get<bool>() ? "explicit ratings" : "implicit";
    const double threshold = NumberAt(dataset, "positive_threshold");
    if (is_explicit->get<bool>() && std::isfinite(threshold)) {
      feedback += fmt::format(", relevant when \u2265 {:g}", threshold);
    }
    Fact(out, "Feedback", feedback);
  }
  const Json* timestamps = Find(dataset, "has_timestamps");
  if (timestamps != nullptr && timestamps->is_boolean())
    Fact(out, "Timestamps", timestamps->get<bool>() ? "yes" : "no");
  Fact(out, "Fingerprint", "<code>" + Esc(dataset, "fingerprint") + "</code>");
  Fact(out, "Load time", FormatSeconds(NumberAt(dataset, "load_seconds")));
  Fact(out, "Memory", FormatBytes(NumberAt(dataset, "memory_bytes")));
  Fact(out, "Bad rows skipped", FormatCount(NumberAt(dataset, "bad_rows_skipped")));
  Fact(out, "Duplicates merged", FormatCount(NumberAt(dataset, "duplicates_merged")));
  out += "</dl></div><div><h3>Split</h3><dl>";
  Fact(out, "Method", Esc(split, "method"));
  const double seed = NumberAt(split, "seed");
  if (std::isfinite(seed)) Fact(out, "Seed", fmt::format("{:.0f}", seed));
  Fact(out, "Train interactions", FormatCount(NumberAt(split, "train")));
  Fact(out, "Test interactions", FormatCount(NumberAt(split, "test")));
  Fact(out, "Test users", FormatCount(NumberAt(split, "test_users")));
  const double cutoff = NumberAt(split, "cutoff_time");
  if (cutoff > 0) Fact(out, "Cutoff time", fmt::format("{:.0f}", cutoff));
  out += "</dl>";
  const Json& profilers = ArrayAt(doc.results, "profilers");
  if (!profilers.empty()) {
    out += "<h3>User segments</h3><dl>";
    for (const Json& profiler : profilers) {
      std::string text;
      const Json& segments = ArrayAt(profiler, "segments");
      const Json& counts = ArrayAt(profiler, "users");
      for (size_t s = 0; s < segments.size(); ++s) {
        if (!text.empty()) text += ", ";
        text += EscapeHtml(segments[s].is_string() ? segments[s].get<std::string>() : segments[s].dump());
        if (s < counts.size() && counts[s].is_number())
          text += " (" + FormatCount(counts[s].get<double>()) + ")";
      }
      Fact(out, EscapeHtml(StringAt(profiler, "name")), text.empty() ? "no segments" : text);
    }
    out += "</dl>";
  }
  out += "</div></div></section>\n";
}

void RenderFailures(const Document& doc, std::string& out) {
  if (doc.failed_arms.empty()) return;
  out +=
      "<section id=\"failures\"><h2>Failed arms</h2><p class=\"lead\">These arms did not complete and take "
      "part in no comparison.</p>";
  for (const Json* arm : doc.failed_arms) {
    out += "<div class=\"failure\"><div><b>" + Esc(*arm, "name") + "</b> <code>" +
           Esc(*arm, "plugin", StringAt(*arm, "recommender")) + "</code></div><pre>" +
           Esc(*arm, "error", "failed without a message") + "</pre>";
    // what the engine kept of the failed cell: its last log lines, the trace
    if (arm->contains("failure") && (*arm)["failure"].is_object()) {
      const Json& failure = (*arm)["failure"];
      std::string lines;
      for (const Json& line : ArrayAt(failure, "last_lines")) {
        if (line.is_string()) lines += EscapeHtml(line.get<std::string>()) + "\n";
      }
      if (!lines.empty())
        out += "<details><summary>last lines of its log</summary><pre>" + lines + "</pre></details>";
      if (!StringAt(failure, "trace").empty()) {
        out += "<details><summary>stack trace of the worker</summary><pre>" + Esc(failure, "trace") +
               "</pre></details>";
      }
    }
    out += "</div>";
  }
  out += "</section>\n";
}

void RenderWarnings(const Document& doc, std::string& out) {
  std::vector<std::string> warnings;
  for (const Json* list : {&ArrayAt(doc.results, "warnings"), &ArrayAt(doc.ab, "warnings")}) {
    for (const Json& warning : *list) {
      if (!warning.is_string()) continue;
      const std::string text = warning.get<std::string>();
      if (std::find(warnings.begin(), warnings.end(), text) == warnings.end()) warnings.push_back(text);
    }
  }
  out += "<section id=\"warnings\"><h2>Warnings</h2>";
  if (warnings.empty()) {
    out += "<p class=\"muted\">None.</p>";
  } else {
    out += "<ul class=\"warnings\">";
    for (const std::string& warning : warnings) out += "<li>" + EscapeHtml(warning) + "</li>";
    out += "</ul>";
  }
  const Json& log = ArrayAt(doc.results, "log");
  if (!log.empty()) {
    out += fmt::format("<details><summary>Run log ({} lines)</summary><pre class=\"log\">", log.size());
    for (const Json& line : log)
      out += EscapeHtml(line.is_string() ? line.get<std::string>() : line.dump()) + "\n";
    out += "</pre></details>";
  }
  out += "</section>\n";
}

void RenderAppendix(const Document& doc, std::string& out) {
  // plugin@version -> what uses it, in order of first use.
  std::vector<std::pair<std::string, std::vector<std::string>>> plugins;
  auto use = [&](const std::string& plugin, const std::string& user) {
    if (plugin.empty()) return;
    auto it = std::find_if(plugins.begin(), plugins.end(), [&](const auto& p) { return p.first == plugin; });
    if (it == plugins.end()) it = plugins.insert(plugins.end(), {plugin, {}});
    if (std::find(it->second.begin(), it->second.end(), user) == it->second.end()) it->second.push_back(user);
  };
  for (const Json& arm : ArrayAt(doc.results, "arms")) {
    use(StringAt(arm, "plugin", StringAt(arm, "recommender")), "arm " + StringAt(arm, "name"));
  }
  for (const Json& profiler : ArrayAt(doc.results, "profilers")) {
    use(StringAt(profiler, "plugin", StringAt(profiler, "name")), "profiler");
  }
  for (const Json& column : ArrayAt(doc.results, "columns")) use(StringAt(column, "evaluator"), "evaluator");

  const Json& experiment = ObjectAt(doc.results, "experiment");
  out += "<section id=\"appendix\"><h2>Reproducibility</h2><div class=\"facts-grid\"><div><dl>";
  Fact(out, "reclift", Esc(doc.results, "reclift_version"));
  Fact(out, "Schema", fmt::format("results.json v{:.0f}", NumberAt(doc.results, "schema_version")));
  Fact(out, "Experiment file", "<code>" + Esc(experiment, "file") + "</code>");
  Fact(out, "Run folder", "<code>" + Esc(experiment, "run_dir") + "</code>");
  const double seed = NumberAt(experiment, "seed");
  if (std::isfinite(seed)) Fact(out, "Seed", fmt::format("{:.0f}", seed));
  const double threads = NumberAt(experiment, "threads");
  if (std::isfinite(threads)) Fact(out, "Threads", fmt::format("{:.0f}", threads));
  Fact(out, "Started", Esc(experiment, "started_at"));
  Fact(out, "Dataset fingerprint",
       "<code>" + Esc(ObjectAt(doc.results, "dataset"), "fingerprint") + "</code>");
  const double samples = NumberAt(doc.ab, "bootstrap_samples");
  if (std::isfinite(samples)) Fact(out, "Bootstrap samples", FormatCount(samples));
  out += "</dl></div><div>";
  if (!plugins.empty()) {
    out += "<table><thead><tr><th>Plugin</th><th>Used by</th></tr></thead><tbody>";
    for (const auto& [plugin, users] : plugins) {
      std::string used;
      for (const std::string& user : users) used += (used.empty() ? "" : ", ") + EscapeHtml(user);
      out += "<tr><td><code>" + EscapeHtml(plugin) + "</code></td><td>" + used + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  out += "</div></div>";
  const Json* config = Find(doc.results, "config");
  if (config != nullptr) {
    out += "<details class=\"config\"><summary>Resolved configuration (JSON)</summary><pre>" +
           EscapeHtml(config->dump(2, ' ', false, Json::error_handler_t::replace)) + "</pre></details>";
  }
  out += "</section>\n";
}

// The stylesheet: quiet colours, tabular numbers, and print rules that keep
// figures whole and colours exact.
constexpr std::string_view kStyle = R"css(
:root{--fg:#1f2937;--muted:#6b7280;--line:#e5e7eb;--panel:#f8fafc;--better:#0072B2;--worse:#D55E00;--none:#6b7280;--accent:#1e3a5f}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;color:var(--fg);background:#fff;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans","Liberation Sans",sans-serif}
.wrap{max-width:1120px;margin:0 auto;padding:0 28px}
header.top{background:var(--accent);color:#fff;padding:26px 0 20px}
header.top h1{margin:2px 0 6px;font-size:28px;font-weight:650;letter-spacing:-.01em;overflow-wrap:anywhere}
.kicker{text-transform:uppercase;letter-spacing:.08em;font-size:11px;opacity:.75}
.lede{margin:0 0 8px;font-size:15px;opacity:.92}
.facts{margin:0;font-size:13px;opacity:.85}.facts .sep{margin:0 8px;opacity:.6}
nav.toc{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid var(--line)}
nav.toc .wrap{display:flex;flex-wrap:wrap;gap:4px 18px;padding-top:9px;padding-bottom:9px}
nav.toc a{color:var(--accent);text-decoration:none;font-size:13px;font-weight:500}
nav.toc a:hover{text-decoration:underline}
main.wrap{padding-bottom:40px}
section{margin-top:30px}
h2{font-size:20px;margin:0 0 10px;padding-bottom:6px;border-bottom:2px solid var(--line);overflow-wrap:anywhere}
h3{font-size:15px;margin:18px 0 8px}
p.lead{margin:0 0 14px;max-width:78ch}
p.hint,p.caption,.muted{color:var(--muted)}
p.caption{font-size:12.5px;margin:6px 0 0;max-width:90ch}
p.hint{font-size:12.5px;margin:0 0 10px}
p.note{padding:10px 14px;background:#fff7ed;border-left:4px solid var(--worse)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:12px;margin:12px 0 8px}
.card{border:1px solid var(--line);border-top:4px solid var(--none);border-radius:8px;padding:12px 14px;background:#fff}
.card.better{border-top-color:var(--better)}.card.worse{border-top-color:var(--worse)}
.card-arm{font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.card-lift{font-size:26px;font-weight:650;font-variant-numeric:tabular-nums;line-height:1.2;margin-top:4px}
.card.better .card-lift{color:var(--better)}.card.worse .card-lift{color:var(--worse)}
.card-ci,.card-detail{font-size:12px;color:var(--muted);font-variant-numeric:tabular-nums}
.card-verdict{margin:6px 0 4px}
.badge{display:inline-block;padding:1px 8px;border-radius:999px;font-size:12px;font-weight:600;white-space:nowrap;border:1px solid currentColor}
.badge.better{color:#fff;background:var(--better);border-color:var(--better)}
.badge.worse{color:#fff;background:var(--worse);border-color:var(--worse)}
.badge.none{color:#4b5563;background:#f3f4f6;border-color:#d1d5db}
.tag{display:inline-block;font-size:11px;padding:0 6px;border-radius:4px;background:#eef2f7;color:#374151;font-weight:500;vertical-align:1px}
.tag.primary{background:#e0ecf7;color:var(--accent)}
.counts{font-size:12.5px;color:#374151;margin-left:6px}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}
th,td{padding:6px 10px;border-bottom:1px solid var(--line);text-align:left;vertical-align:middle}
thead th{background:var(--panel);font-weight:600;color:#374151;border-bottom:1px solid #d1d5db;white-space:nowrap}
table.sortable thead th{cursor:pointer;user-select:none}
table.sortable thead th:hover{background:#eef2f7}
table.sortable thead th[aria-sort=ascending]::after{content:" \25B2";font-size:9px}
table.sortable thead th[aria-sort=descending]::after{content:" \25BC";font-size:9px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.arm{font-weight:500;white-space:nowrap}
td .ci{color:var(--muted);font-size:11.5px}
table.metric td .ci{display:block;line-height:1.25}
table.metric td{padding-top:5px;padding-bottom:5px}
tr.control td{background:#fbfbfc}
.strip-col{width:130px}
svg.strip{display:block}
details.metric{border:1px solid var(--line);border-radius:8px;margin:10px 0;padding:0 14px;background:#fff}
details.metric[open]{padding-bottom:10px}
details.metric>summary{cursor:pointer;padding:10px 0;font-size:14px}
.metric-name{font-weight:650}
details>summary{cursor:pointer}
figure.plot{margin:10px 0 4px}
.scroll{overflow-x:auto}
svg.chart{max-width:100%;height:auto;display:block;font-family:inherit}
svg.chart text{font-size:12px;fill:#1f2937}
svg.chart .tick{font-size:11px;fill:#4b5563}
svg.chart .axis-label{font-size:12px;font-weight:600;fill:#374151}
svg.chart .value{font-size:11.5px;fill:#374151;font-variant-numeric:tabular-nums}
svg.chart .label{font-weight:500}
svg.chart .grid line{stroke:#eef0f3}
svg.chart .axis{stroke:#6b7280}
svg.chart .zero{stroke:#111827;stroke-width:1.2;stroke-dasharray:4 3}
svg.chart .band{fill:#f8fafc}
svg.chart .band-ci{opacity:.16}
svg.chart .legend text{font-size:11.5px;fill:#374151}
svg.chart .group{font-weight:650}
svg.chart .col{font-weight:600}
svg.chart .bracket{stroke:#9ca3af}
svg.chart .cell-text{font-size:12px;font-weight:600;fill:#111827;font-variant-numeric:tabular-nums}
svg.chart .cell-text.light{fill:#fff}
svg.chart .point-label{font-size:10.5px;fill:#4b5563}
.panels{display:grid;grid-template-columns:repeat(auto-fit,minmax(380px,1fr));gap:16px}
.facts-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:8px 32px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:13px}
dt{color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;background:#f3f4f6;padding:1px 4px;border-radius:3px}
pre{font:12px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;background:var(--panel);border:1px solid var(--line);border-radius:6px;padding:10px 12px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
details.config pre{max-height:520px}
.failure{border-left:4px solid var(--worse);padding:4px 0 0 12px;margin:10px 0}
.failure pre{margin:6px 0 0;background:#fff7ed;border-color:#fed7aa}
ul.warnings{margin:0;padding-left:20px}ul.warnings li{margin:3px 0}
footer{color:var(--muted);font-size:12px;border-top:1px solid var(--line);margin-top:36px;padding:14px 0 28px}
@media print{
  @page{margin:14mm}
  body{font-size:11px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  nav.toc{display:none}
  header.top{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 8px}
  .wrap{max-width:none;padding:0}
  section,figure,.card,table,details{break-inside:avoid}
  h2,h3{break-after:avoid}
  details>summary::marker{content:""}
  .scroll,.table-wrap{overflow:visible}
  pre{white-space:pre-wrap;max-height:none}
}
)css";

// Sorting by a header click (numbers by their data-sort value, text
// otherwise; missing values last) and opening every section before print.
constexpr std::string_view kScript = R"js(
(function(){
  function key(cell){
    var raw=cell?cell.getAttribute('data-sort'):null;
    if(raw!==null&&raw!==''&&!isNaN(parseFloat(raw)))return parseFloat(raw);
    return cell?cell.textContent.trim().toLowerCase():'';
  }
  function compare(a,b){
    var an=typeof a==='number',bn=typeof b==='number';
    if(an!==bn)return an?-1:1;
    return a<b?-1:a>b?1:0;
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'),function(table){
    if(!table.tHead||!table.tBodies.length)return;
    var heads=table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads,function(th,column){
      th.tabIndex=0;
      function sort(){
        var ascending=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',ascending?'ascending':'descending');
        var body=table.tBodies[0];
        var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(x,y){
          var c=compare(key(x.cells[column]),key(y.cells[column]));
          return ascending?c:-c;
        });
        rows.forEach(function(row){body.appendChild(row);});
      }
      th.addEventListener('click',sort);
      th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort();}});
    });
  });
  window.addEventListener('beforeprint',function(){
    Array.prototype.forEach.call(document.querySelectorAll('details'),function(d){d.open=true;});
  });
})();
)js";

}  // namespace

std::string HtmlPageStart(std::string_view title) {
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"reclift\">\n";
  out += "<title>" + EscapeHtml(title) + "</title>\n<style>" + std::string(kStyle) +
         "</style>\n</head>\n<body>\n";
  return out;
}

std::string HtmlPageEnd() {
  return "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
}

}  // namespace report

std::string RenderHtml(const nlohmann::json& results) {
  report::CheckSchema(results, "RenderHtml");
  const report::Document doc(results);
  const std::string name = report::StringAt(report::ObjectAt(results, "experiment"), "name", "experiment");
  const bool has_segments =
      !report::ArrayAt(results, "profilers").empty() && !doc.treatments.empty() && doc.control_arm != nullptr;
  std::string out = report::HtmlPageStart("reclift report: " + name);
  report::RenderHeader(doc, out);
  report::RenderNav(doc, out, has_segments);
  out += "<main class=\"wrap\">\n";
  report::RenderSummary(doc, out);
  // The primary metric overall, then by segment, then every metric in detail.
  report::RenderSegments(doc, out);
  report::RenderMetrics(doc, out);
  report::RenderColdStart(doc, out);
  report::RenderColdStartItems(doc, out);
  report::RenderDiversity(doc, out);
  out += RenderTuningHtml(results);  // report/tuning_section.h
  report::RenderOpeHtml(results, out);  // report/ope_section.h
  report::RenderCost(doc, out);
  report::RenderData(doc, out);
  report::RenderFailures(doc, out);
  report::RenderWarnings(doc, out);
  report::RenderAppendix(doc, out);
  out += "</main>\n<footer><div class=\"wrap\">Rendered by reclift " +
         report::EscapeHtml(report::StringAt(results, "reclift_version", "?")) +
         " from results.json. Self-contained: no network access needed.</div></footer>\n";
  out += report::HtmlPageEnd();
  return out;
}

}  // namespace reclift::host
