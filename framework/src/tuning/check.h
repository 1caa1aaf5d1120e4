// Checks an arm's search space against its recommender's declared
// parameters, before any data is read (so `reclift validate` catches it).
#pragma once

#include "experiment/spec.h"
#include "reclift/plugin.h"

namespace reclift::host {

// Throws Error at the place in the file for: a parameter the plugin does
// not declare (with "did you mean"), a choice of the wrong type or outside
// the declared range, a range on a non-numeric parameter, a float range on
// an integer parameter (int_uniform is for those), a range reaching outside
// the declared one, and (method = "halving") a plugin without an integer
// budget parameter. Converts integer choices of float parameters to floats.
void CheckTuneSpace(ArmSpec& arm, const PluginInfo& info, const TuningSpec& tuning);

// halving: the budget parameter of `info` (tuning.budget_parameter, else
// "epochs" or "iterations" when declared as integers), or null.
const ParamSpec* BudgetParameter(const PluginInfo& info, const TuningSpec& tuning);

}  // namespace reclift::host
