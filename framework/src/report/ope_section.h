// The "ope" section of results.json (ope/ope.h) in the Markdown and HTML
// reports: the logged data, the offline A/B verdicts of the primary
// estimator, every estimate with its interval (and the truth and error on
// simulated logs), and the weight diagnostics with their warnings. Appends
// nothing when the document has no "ope" section. Internal to
// framework/src/report; called once from markdown.cpp and html.cpp.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace reclift::host::report {

void RenderOpeMarkdown(const nlohmann::json& results, std::string& out);
// A <section id="ope"> using the page's table and badge styles, with an
// inline SVG interval chart per policy (estimates with intervals, the truth
// as a dashed line).
void RenderOpeHtml(const nlohmann::json& results, std::string& out);

}  // namespace reclift::host::report
