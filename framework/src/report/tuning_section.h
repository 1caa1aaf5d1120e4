// The "tuning" section of results.json (tuning/stage.h) in the reports: per
// tuned arm, the best parameters, the validation value of the chosen
// configuration next to its test value (the arm's own metric in "arms"), a
// best-so-far curve and one scatter per searched parameter (log axis for
// log_uniform) as inline SVG, and the trials table (searched values, budget,
// validation metric, fit time, status). Each renderer returns "" when the
// run tuned nothing. Called by the HTML and Markdown renderers and by
// RenderScenarioCsvs (tuning.csv).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace reclift::host {

std::string RenderTuningHtml(const nlohmann::json& results);
std::string RenderTuningMarkdown(const nlohmann::json& results);
// One row per trial: arm, trial, rung, budget, status, value, fit_seconds,
// seconds, best_so_far, one column per searched parameter, error.
std::string RenderTuningCsv(const nlohmann::json& results);

}  // namespace reclift::host
