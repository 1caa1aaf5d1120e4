// Rating-prediction benchmark for the baseline, mf_sgd (SVD) and svdpp
// (SVD++) models: Surprise's protocol for RMSE, and SGD speed.
//
//   mf_sgd_bench cv [--udata PATH/u.data | --preset ml-100k] [--folds 5] [--seed 42]
//                   [--algos baseline,svd,svdpp] [--order user|shuffled] [--strata 1]
//       k-fold cross-validated RMSE and MAE with each model's default
//       parameters, as Surprise's cross_validate(algo, data, cv=5) does: the
//       ratings are shuffled once and cut into k folds of (almost) equal size
//       (the first n mod k folds one rating larger); each fold is predicted by
//       a model fitted on the others; predictions are clipped to the training
//       rating range. Published figures on the real MovieLens-100K (Surprise
//       docs): baseline 0.944, SVD 0.934, SVD++ 0.919 (RMSE).
//       u.data is MovieLens-100K's "user \t item \t rating \t timestamp" file.
//
//   mf_sgd_bench speed [--preset ml-20m] [--threads 2] [--epochs 3] [--factors 100]
//                      [--algos svd,svdpp] [--strata 1,2,4] [--order user] [--selection 1]
//       Rating updates per second of the SGD epochs on the whole data set
//       (synthetic preset, optionally with --interactions N, or --udata): per
//       wall-clock second, and per CPU second (= per core, robust to other
//       jobs on the machine), against Surprise's SVD at 1.4 million updates
//       per second per core; peak memory (VmHWM). Then (strata 1, unless
//       --selection 0) the same number of epochs of the selection model that
//       Fit adds for top-N ranking, with its default parameters.
//
// Run it with `nice`: the machine is shared.
#include <tbb/global_control.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include "../plugins/recommenders/baseline/baseline_model.cpp"
#include "../plugins/recommenders/mf_sgd/mf_sgd_model.cpp"
#include "data/synth.h"
#include "reclift/owned_train_data.h"

namespace {

using reclift::Context;
using reclift::OwnedTrainData;
using reclift::Params;
using reclift::ParamValue;
using reclift::Recommender;
using reclift::Status;
using reclift::recommenders::BaselineRecommender;
using reclift::recommenders::MfSgdRecommender;
using reclift::recommenders::SvdppRecommender;

// Surprise's SVD on one core (the figure the project compares with).
constexpr double kSurpriseUpdatesPerSecond = 1.4e6;

using Clock = std::chrono::steady_clock;
double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// CPU seconds used by the whole process: under contention (other jobs on
// the same cores) wall time overstates the work, CPU time does not.
double ProcessCpuSeconds() {
  timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Peak resident memory of this process so far, in MiB.
double PeakMemoryMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

struct RatingTable {
  std::string name;
  uint32_t num_users = 0;
  uint32_t num_items = 0;
  std::vector<uint32_t> users, items;
  std::vector<float> values;
  size_t size() const { return users.size(); }
};

// MovieLens-100K u.data: user id, item id, rating, timestamp, tab-separated.
RatingTable LoadUData(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  RatingTable table;
  table.name = path;
  std::unordered_map<std::string, uint32_t> user_ids, item_ids;
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string user, item, rating;
    if (!std::getline(fields, user, '\t') || !std::getline(fields, item, '\t') ||
        !std::getline(fields, rating, '\t')) {
      throw std::runtime_error(path + ":" + std::to_string(line_number) +
                               ": expected user, item, rating and timestamp separated by tabs, found '" +
                               line + "'");
    }
    char* end = nullptr;
    const float value = std::strtof(rating.c_str(), &end);
    if (end == rating.c_str() || !std::isfinite(value)) {
      throw std::runtime_error(path + ":" + std::to_string(line_number) + ": rating '" + rating +
                               "' is not a number");
    }
    table.users.push_back(user_ids.try_emplace(user, static_cast<uint32_t>(user_ids.size())).first->second);
    table.items.push_back(item_ids.try_emplace(item, static_cast<uint32_t>(item_ids.size())).first->second);
    table.values.push_back(value);
  }
  table.num_users = static_cast<uint32_t>(user_ids.size());
  table.num_items = static_cast<uint32_t>(item_ids.size());
  return table;
}

RatingTable FromSynthetic(const std::string& preset, uint64_t seed, uint64_t interactions) {
  reclift::host::SynthOptions options;
  options.preset = preset;
  options.seed = seed;
  options.interactions = interactions;
  reclift::host::Dataset d = reclift::host::GenerateSynthetic(options);
  RatingTable table;
  table.name = "synthetic " + preset + " (seed " + std::to_string(seed) + ")";
  table.num_users = d.num_users();
  table.num_items = d.num_items();
  table.users = std::move(d.users);
  table.items = std::move(d.items);
  table.values = std::move(d.values);
  return table;
}

OwnedTrainData TrainingData(const RatingTable& table, const std::vector<size_t>& rows) {
  std::vector<uint32_t> users(rows.size()), items(rows.size());
  std::vector<float> values(rows.size());
  for (size_t k = 0; k < rows.size(); ++k) {
    users[k] = table.users[rows[k]];
    items[k] = table.items[rows[k]];
    values[k] = table.values[rows[k]];
  }
  return OwnedTrainData::Build(table.num_users, table.num_items, users, items, values, {}, true);
}

struct Algorithm {
  std::string name;
  std::function<std::unique_ptr<Recommender>()> make;
  std::span<const reclift::ParamSpec> specs;
  double published_rmse;  // Surprise's figure on the real MovieLens-100K
};

std::vector<Algorithm> Algorithms(const std::string& list) {
  std::vector<Algorithm> all = {
      {"baseline", [] { return std::make_unique<BaselineRecommender>(); },
       reclift::recommenders::kBaselineParams, 0.944},
      {"svd", [] { return std::make_unique<MfSgdRecommender>(); }, reclift::recommenders::kMfSgdParams,
       0.934},
      {"svdpp", [] { return std::make_unique<SvdppRecommender>(); }, reclift::recommenders::kSvdppParams,
       0.919},
  };
  std::vector<Algorithm> chosen;
  std::stringstream names(list);
  std::string name;
  while (std::getline(names, name, ',')) {
    bool found = false;
    for (const auto& a : all) {
      if (a.name == name) {
        chosen.push_back(a);
        found = true;
      }
    }
    if (!found) throw std::runtime_error("unknown algorithm '" + name + "' (baseline, svd or svdpp)");
  }
  return chosen;
}

struct CvResult {
  std::vector<double> rmse, mae, fit_seconds;
};

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / static_cast<double>(v.size());
}

// Surprise's KFold(n_splits = folds, shuffle = True) + cross_validate: RMSE
// and MAE of the clipped predictions on each held-out fold.
CvResult CrossValidate(const RatingTable& table, const Algorithm& algorithm,
                       const std::map<std::string, ParamValue>& given, int folds, uint64_t seed) {
  std::vector<size_t> order(table.size());
  std::iota(order.begin(), order.end(), size_t{0});
  uint64_t state = reclift::recommenders::mf_sgd_detail::Stream(seed, 100, 0);
  reclift::recommenders::mf_sgd_detail::Shuffle(order.data(), order.size(), state);
  Params params;
  Status s = Params::Build(algorithm.specs, given, params);
  if (!s.ok()) throw std::runtime_error(s.ToString());
  CvResult result;
  size_t stop = 0;
  for (int fold = 0; fold < folds; ++fold) {
    const size_t start = stop;
    stop += table.size() / folds + (static_cast<size_t>(fold) < table.size() % folds ? 1 : 0);
    std::vector<size_t> train;
    train.reserve(table.size() - (stop - start));
    for (size_t k = 0; k < table.size(); ++k) {
      if (k < start || k >= stop) train.push_back(order[k]);
    }
    const OwnedTrainData data = TrainingData(table, train);
    std::unique_ptr<Recommender> model = algorithm.make();
    Context ctx;
    ctx.seed = seed + static_cast<uint64_t>(fold);
    const auto fit_start = Clock::now();
    s = model->Fit(data.view(), params, ctx);
    if (!s.ok()) throw std::runtime_error(algorithm.name + ": " + s.ToString());
    result.fit_seconds.push_back(Seconds(fit_start));
    double squared = 0, absolute = 0;
    for (size_t k = start; k < stop; ++k) {
      const size_t row = order[k];
      float predicted;
      s = model->Predict(table.users[row], std::span<const uint32_t>(&table.items[row], 1),
                         std::span<float>(&predicted, 1));
      if (!s.ok()) throw std::runtime_error(algorithm.name + ": " + s.ToString());
      const double error = table.values[row] - predicted;
      squared += error * error;
      absolute += std::abs(error);
    }
    const double n = static_cast<double>(stop - start);
    result.rmse.push_back(std::sqrt(squared / n));
    result.mae.push_back(absolute / n);
  }
  return result;
}

struct Options {
  std::string mode;
  std::string udata;
  std::string preset;
  std::string algos;
  std::string strata = "1";
  std::string order = "user";
  int folds = 5;
  int threads = 2;
  int epochs = 3;
  int factors = 0;            // 0: each model's default
  bool selection = true;      // speed: also time the selection model (top-N ranking)
  uint64_t interactions = 0;  // 0: the preset's count
  uint64_t seed = 42;
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  if (argc < 2)
    throw std::runtime_error("usage: mf_sgd_bench cv|speed [options] (see the top of mf_sgd_bench.cpp)");
  o.mode = argv[1];
  if (o.mode != "cv" && o.mode != "speed")
    throw std::runtime_error("mode must be cv or speed, found " + o.mode);
  o.preset = o.mode == "cv" ? "ml-100k" : "ml-20m";
  o.algos = o.mode == "cv" ? "baseline,svd,svdpp" : "svd,svdpp";
  for (int k = 2; k < argc; ++k) {
    const std::string flag = argv[k];
    if (k + 1 >= argc) throw std::runtime_error(flag + " needs a value");
    const std::string value = argv[++k];
    if (flag == "--udata") {
      o.udata = value;
    } else if (flag == "--preset") {
      o.preset = value;
    } else if (flag == "--algos") {
      o.algos = value;
    } else if (flag == "--strata") {
      o.strata = value;
    } else if (flag == "--order") {
      o.order = value;
    } else if (flag == "--folds") {
      o.folds = std::stoi(value);
    } else if (flag == "--threads") {
      o.threads = std::stoi(value);
    } else if (flag == "--epochs") {
      o.epochs = std::stoi(value);
    } else if (flag == "--factors") {
      o.factors = std::stoi(value);
    } else if (flag == "--interactions") {
      o.interactions = std::stoull(value);
    } else if (flag == "--selection") {
      o.selection = value != "0" && value != "false";
    } else if (flag == "--seed") {
      o.seed = std::stoull(value);
    } else {
      throw std::runtime_error("unknown option " + flag);
    }
  }
  return o;
}

void RunCrossValidation(const Options& o, const RatingTable& table) {
  std::printf("%d-fold cross-validation on %s: %u users, %u items, %zu ratings\n", o.folds,
              table.name.c_str(), table.num_users, table.num_items, table.size());
  std::printf("%-9s %8s %8s %10s %14s  %s\n", "algorithm", "RMSE", "MAE", "fit s/fold", "Surprise ML100K",
              "RMSE per fold");
  for (const Algorithm& a : Algorithms(o.algos)) {
    std::map<std::string, ParamValue> given;
    if (o.factors > 0 && a.name != "baseline") given["factors"] = int64_t{o.factors};
    if (a.name == "svd") {
      given["order"] = o.order;
      given["strata"] = int64_t{std::stoi(o.strata)};
    }
    const CvResult r = CrossValidate(table, a, given, o.folds, o.seed);
    std::string per_fold;
    for (double x : r.rmse) per_fold += std::to_string(x).substr(0, 6) + " ";
    std::printf("%-9s %8.4f %8.4f %10.3f %14.3f  %s\n", a.name.c_str(), Mean(r.rmse), Mean(r.mae),
                Mean(r.fit_seconds), a.published_rmse, per_fold.c_str());
  }
}

void RunSpeed(const Options& o, const RatingTable& table) {
  std::vector<size_t> all(table.size());
  std::iota(all.begin(), all.end(), size_t{0});
  const OwnedTrainData data = TrainingData(table, all);
  std::printf(
      "SGD speed on %s: %u users, %u items, %zu ratings; %d threads allowed; %d epochs; peak so far %.0f "
      "MiB\n",
      table.name.c_str(), table.num_users, table.num_items, data.view().nnz(), o.threads, o.epochs,
      PeakMemoryMiB());
  std::printf("%-6s %7s %7s %8s %8s %8s %8s %11s %11s %10s %10s %8s\n", "model", "factors", "strata", "order",
              "setup s", "epoch s", "cpu s", "updates/s", "per core/s", "x Surprise", "train RMSE",
              "peak MiB");
  for (const Algorithm& a : Algorithms(o.algos)) {
    if (a.name == "baseline") continue;
    std::stringstream strata_list(a.name == "svdpp" ? std::string("1") : o.strata);
    std::string strata_text;
    while (std::getline(strata_list, strata_text, ',')) {
      const int strata = std::stoi(strata_text);
      std::map<std::string, ParamValue> given = {{"epochs", int64_t{o.epochs}}};
      if (o.factors > 0) given["factors"] = int64_t{o.factors};
      if (a.name == "svd") {
        given["strata"] = int64_t{strata};
        given["order"] = o.order;
      }
      Params params;
      Status s = Params::Build(a.specs, given, params);
      if (!s.ok()) throw std::runtime_error(s.ToString());
      std::unique_ptr<MfSgdRecommender> model(a.name == "svd" ? new MfSgdRecommender()
                                                              : new SvdppRecommender());
      const auto setup_start = Clock::now();
      s = model->Configure(data.view(), params, o.seed);
      if (!s.ok()) throw std::runtime_error(s.ToString());
      const double setup = Seconds(setup_start);
      double squared = 0;
      const auto epochs_start = Clock::now();
      const double cpu_start = ProcessCpuSeconds();
      for (int epoch = 0; epoch < o.epochs; ++epoch) squared = model->RunEpoch();
      const double seconds = Seconds(epochs_start), cpu = ProcessCpuSeconds() - cpu_start;
      const double updates = static_cast<double>(data.view().nnz()) * o.epochs;
      // per core: updates per CPU second, which contention for the cores does not inflate
      std::printf("%-6s %7d %7d %8s %8.2f %8.2f %8.2f %11.3g %11.3g %10.1f %10.4f %8.0f\n", a.name.c_str(),
                  model->factors(), strata, a.name == "svd" ? o.order.c_str() : "user", setup,
                  seconds / o.epochs, cpu / o.epochs, updates / seconds, updates / cpu,
                  updates / cpu / kSurpriseUpdatesPerSecond,
                  std::sqrt(squared / static_cast<double>(data.view().nnz())), PeakMemoryMiB());
      std::fflush(stdout);
      if (strata != 1 || !o.selection) continue;
      // the selection model Fit adds for top-N ranking (ranking = "expected" or "selection")
      model->Finish();
      const auto selection_start = Clock::now();
      const double selection_cpu_start = ProcessCpuSeconds();
      model->ConfigureSelection(o.seed);
      double brier = 0;
      for (int epoch = 0; epoch < o.epochs; ++epoch) brier = model->RunSelectionEpoch(epoch);
      model->FinishSelection();
      const double selection_seconds = Seconds(selection_start),
                   selection_cpu = ProcessCpuSeconds() - selection_cpu_start;
      const int negatives = static_cast<int>(params.GetInt("selection_negatives"));
      const int default_epochs = static_cast<int>(params.GetInt("selection_epochs"));
      const double steps = static_cast<double>(data.view().nnz()) * (1 + negatives) * o.epochs;
      std::printf(
          "%-6s selection model: %d factors, %d negatives per pair: %.2f s / epoch (%.2f cpu s), %.3g "
          "logistic steps per cpu s, Brier score %.4f in the last epoch; the default %d epochs: %.0f s\n",
          a.name.c_str(), model->selection_factors(), negatives, selection_seconds / o.epochs,
          selection_cpu / o.epochs, steps / selection_cpu, brier, default_epochs,
          selection_seconds / o.epochs * default_epochs);
      std::fflush(stdout);
    }
  }
  std::printf("(train RMSE: of the errors met during the last epoch; AVX2+FMA path: %s)\n",
              __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") ? "yes" : "no");
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = ParseOptions(argc, argv);
    tbb::global_control threads(tbb::global_control::max_allowed_parallelism, static_cast<size_t>(o.threads));
    const auto load_start = Clock::now();
    const RatingTable table =
        o.udata.empty() ? FromSynthetic(o.preset, o.seed, o.interactions) : LoadUData(o.udata);
    std::printf("loaded in %.1f s\n", Seconds(load_start));
    if (o.mode == "cv") {
      RunCrossValidation(o, table);
    } else {
      RunSpeed(o, table);
    }
    std::printf("peak memory (VmHWM): %.0f MiB\n", PeakMemoryMiB());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mf_sgd_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
