// The reclift plugin SDK: include this one header to write a plugin.
#pragma once

#include "reclift/context.h"
#include "reclift/estimator.h"
#include "reclift/evaluator.h"
#include "reclift/params.h"
#include "reclift/plugin.h"
#include "reclift/profiler.h"
#include "reclift/recommender.h"
#include "reclift/status.h"
#include "reclift/train_data.h"
