// results.json: the single source every report is rendered from.
//
// Schema version 1 (keys in this order; numbers are JSON numbers, NaN and
// infinities are written as null):
//
// {
//   "schema_version": 1,
//   "reclift_version": "0.1.0",
//   "experiment": {"name": str, "description": str, "file": str, "seed": int,
//                  "threads": int, "started_at": "2026-11-22T14:52:44Z",
//                  "seconds": float, "run_dir": str,
//                  "engine": {"isolation": "process" | "none", "parallel_cells": int,
//                             "cell_timeout": float, "cell_memory_mb": int, "cells": int,
//                             "cells_computed": int, "cells_reused": int,
//                             "trial_cells_computed": int, "trial_cells_reused": int}},
//   "config": { ... the fully resolved experiment configuration ... },
//   "dataset": {"name": str, "format": str, "fingerprint": str, "users": int,
//               "items": int, "interactions": int, "explicit": bool,
//               "has_timestamps": bool, "positive_threshold": float,
//               "load_seconds": float, "memory_bytes": int,
//               "bad_rows_skipped": int, "duplicates_merged": int},
//   "split": {"method": str, "seed": int, "train": int, "test": int,
//             "test_users": int, "cutoff_time": int},
//   "columns": [{"name": "ndcg@10", "metric": "ndcg", "k": 10,
//                "higher_is_better": true, "aggregation": "mean" | "list",
//                "evaluator": "ranking@1.0.0"}],
//   "profilers": [{"name": "activity", "plugin": "activity@1.0.0",
//                  "segments": ["cold", "light", ...],
//                  "users": [int per segment, over evaluated users]}],
//   "arms": [{
//       "name": str, "recommender": "popularity", "plugin": "popularity@1.0.0",
//       "params": {...all parameter values...},
//       "status": "ok" | "failed", "error": str (only when failed),
//       "failure": {"kind": "error" | "crash" | "timeout" | "memory", "phase": str,
//                   "plugin": str, "cell": str, "last_lines": [str], "trace": str}
//                  (only when failed),
//       "fit_seconds": float, "eval_seconds": float,
//       "peak_rss_bytes": int, "model_rss_bytes": int,
//       "host": str, "rank": int (the MPI rank that ran the cell; 0 without MPI),
//       "users_evaluated": int,
//       "metrics": {"ndcg@10": {"mean": float, "ci_low": float, "ci_high": float,
//                               "n": int}, ...},
//       "segments": {"activity": {"light": {"ndcg@10": {"mean", "ci_low", "ci_high", "n"}}}}
//   }],
//   "ab": {"control": str, "primary_metric": str, "assignment": "paired",
//          "alpha": float, "correction": "holm" | "bh" | "none",
//          "bootstrap_samples": int,
//          "comparisons": [{
//              "treatment": str, "metric": "ndcg@10",
//              "profiler": null | "activity", "segment": null | "light",
//              "n": int, "control_mean": float, "treatment_mean": float,
//              "lift": float, "lift_ci_low": float, "lift_ci_high": float,
//              "relative_lift": float, "relative_lift_ci_low": float,
//              "relative_lift_ci_high": float,
//              "t_statistic": float, "p_value_t": float, "p_value_wilcoxon": float,
//              "p_value_adjusted": float, "effect_size": float,
//              "verdict": "better" | "worse" | "no detectable difference"}],
//          "warnings": [str]},
//   "cells": [{"split_repeat": int, "fold": int, "seed": int,   (every repetition's own
//              "arms": [... as "arms" ...], "comparisons": [... as ab.comparisons ...],
//              "sample_ratio": ..., "warnings": [str]}],          analysis; [0] = the above)
//   "per_user": {"users": [original user id strings, evaluated users in order],
//                "segments": {"activity": [segment index per user]},
//                "arms": {"<arm>": {"ndcg@10": [float|null per user], ...}}},
//   "warnings": [str],
//   "log": [str],  // errors and warnings raised during the run
//   "tuning": null | {...}   // tuned arms' trials (shape in tuning/stage.h)
// }
//
// Failed arms keep "status": "failed" and "error", with empty "metrics";
// they take part in no comparison.
//
// Optional sections after "log" (absent when the experiment has none): the
// scenarios' (scenarios/scenarios.h) and "ope", off-policy evaluation
// (ope/ope.h; its shape is documented in docs/ope.md).
#pragma once

namespace reclift::host {
inline constexpr int kResultsSchemaVersion = 1;
}  // namespace reclift::host
