// Fit cost of every recommender plugin: time, CPU and peak memory of Fit,
// the memory the fitted model keeps, and scoring throughput, one Markdown
// table row per model (issue 3: "peak memory of fitting each model
// reported, and no model allocates a dense users x items matrix").
//
//   fit_bench [--preset ml-1m] [--threads 2] [--models als,bpr,...]
//             [--set plugin.param=value ...] [--children als,content]
//             [--score-users 2048] [--max-seconds 0] [--isolate 1]
//             [--plugin-dir DIR]
//
// The plugins are loaded from the build's plugin directory through the
// host's PluginRegistry and fitted with FitArm, exactly as a run fits an arm:
// default parameters (layered under --set), and a composite (hybrid) gets
// --children built, fitted and handed over first, inside its measured fit.
// --set applies to a plugin wherever it is used, as an arm or as a child.
// The data is a synthetic preset (`reclift synth`), every interaction a
// training one.
//
// Each model runs in a fresh process (this program again, made to fit one
// model): a model neither inherits another's freed-but-resident heap (glibc
// keeps up to tens of MiB after the first big free, which would hide the next
// model's growth) nor leaves it behind; a crash costs one row, and
// --max-seconds stops a model that takes too long. --isolate 0 fits them all
// in one process instead (faster: the data is made once).
//
// Per model:
//   - fit wall seconds, and fit CPU seconds of all threads (user + system);
//   - peak RSS during the fit above the RSS just before it;
//   - the RSS the fitted model keeps once the fit's temporaries are freed;
//   - a dense users x items float matrix's size and the peak's share of it:
//     a model that allocated one would show a ratio of 1 or more;
//   - scoring throughput: --score-users users spread evenly over the ids,
//     in blocks of 16, every item, with ScoreBatch (or Score per user for a
//     plugin without the capability), in users per wall second and per CPU
//     second (the steadier figure on a shared machine).
// A model whose Fit refuses (e.g. ease over its memory budget) gets a row
// with its message, and the bench goes on. Each row carries the 1-minute load
// average at its end: figures from a busy machine are slower, not wrong.
#include <malloc.h>
#include <signal.h>
#include <sys/wait.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "data/synth.h"
#include "plugin_host/registry.h"
#include "reclift/owned_train_data.h"
#include "runner/arm.h"
#include "util/error.h"
#include "util/memory.h"

using namespace reclift;
using namespace reclift::host;
using reclift::bench::Clock;
using reclift::bench::CpuSeconds;
using reclift::bench::LoadAverage;
using reclift::bench::Seconds;
using reclift::bench::SplitList;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr size_t kScoreBlock = 16;

std::string Today() {
  const std::time_t now = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M", std::localtime(&now));
  return buf;
}

// Gives freed heap back to the kernel so that RSS measures live memory only.
size_t TrimmedRss() {
  malloc_trim(0);
  return CurrentRssBytes();
}

// A Markdown table cell: no pipes or line breaks from a plugin's message.
std::string Cell(std::string text) {
  for (char& c : text) {
    if (c == '|') c = '/';
    if (c == '\n') c = ' ';
  }
  return text;
}

struct Args {
  std::string preset = "ml-1m";
  int threads = 2;
  std::vector<std::string> models;  // empty: every recommender found
  std::vector<std::string> children = {"als", "content"};
  std::map<std::string, std::map<std::string, std::string>> set;  // plugin -> param -> text
  size_t score_users = 2048;
  std::string plugin_dir = RECLIFT_BUILD_PLUGIN_DIR;
  bool isolate = true;     // each model in a fresh process
  double max_seconds = 0;  // stop a model's process after this long (0: never)
  bool child = false;      // internal: measure --models here, rows only
};

[[noreturn]] void Usage(const std::string& problem) {
  std::fprintf(stderr,
               "fit_bench: %s\nusage: fit_bench [--preset ml-1m] [--threads 2] [--models a,b] "
               "[--set plugin.param=value ...] [--children als,content] [--score-users 2048] "
               "[--max-seconds 0] [--isolate 1] [--plugin-dir DIR]\n",
               problem.c_str());
  std::exit(2);
}

void ParseOption(Args& a, const std::string& key, const std::string& value) {
  if (key == "--preset") {
    a.preset = value;
  } else if (key == "--threads") {
    a.threads = std::stoi(value);
    if (a.threads < 1) Usage("--threads must be at least 1, found " + value);
  } else if (key == "--models") {
    a.models = SplitList(value);
  } else if (key == "--children") {
    a.children = SplitList(value);
  } else if (key == "--score-users") {
    a.score_users = std::stoull(value);
    if (a.score_users < 1) Usage("--score-users must be at least 1, found " + value);
  } else if (key == "--plugin-dir") {
    a.plugin_dir = value;
  } else if (key == "--isolate") {
    a.isolate = std::stoi(value) != 0;
  } else if (key == "--max-seconds") {
    a.max_seconds = std::stod(value);
  } else if (key == "--child") {
    a.child = std::stoi(value) != 0;
  } else if (key == "--set") {
    const size_t dot = value.find('.'), equals = value.find('=');
    if (dot == std::string::npos || equals == std::string::npos || equals < dot)
      Usage("--set expects plugin.param=value, found '" + value + "'");
    a.set[value.substr(0, dot)][value.substr(dot + 1, equals - dot - 1)] = value.substr(equals + 1);
  } else {
    Usage("unknown option " + key);
  }
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; i += 2) {
    const std::string key = argv[i];
    if (i + 1 >= argc) Usage("option " + key + " needs a value");
    const std::string value = argv[i + 1];
    try {
      ParseOption(a, key, value);
    } catch (const std::logic_error&) {
      Usage(key + " expects a number, found '" + value + "'");
    }
  }
  return a;
}

// The --set values of one plugin, typed by its parameter specs (ranges are
// checked later by FitArm, as for an experiment file).
std::map<std::string, ParamValue> Overrides(const PluginRegistry& registry, const Args& args,
                                            const std::string& plugin) {
  std::map<std::string, ParamValue> out;
  auto given = args.set.find(plugin);
  if (given == args.set.end()) return out;
  const PluginInfo* info = registry.Find(PluginKind::kRecommender, plugin);
  if (info == nullptr) return out;  // CreateRecommender reports the unknown name
  for (const auto& [key, text] : given->second) {
    const auto specs = info->param_specs();
    auto spec = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return key == s.name; });
    if (spec == specs.end()) {
      std::string known;
      for (const auto& s : specs) known += (known.empty() ? "" : ", ") + std::string(s.name);
      throw Error("--set " + plugin + "." + key + ": " + plugin + " has no parameter '" + key +
                  "' (it has: " + (known.empty() ? "none" : known) + ")");
    }
    try {
      if (spec->type == ParamType::kBool && text != "true" && text != "false")
        throw std::invalid_argument(text);
      out[key] = reclift::bench::ParseValue(*spec, text);
    } catch (const std::logic_error&) {
      throw Error("--set " + plugin + "." + key + ": expected " + ParamTypeName(spec->type) + ", found '" +
                  text + "'");
    }
  }
  return out;
}

std::string Shown(const Args& args, const std::string& plugin) {
  std::string s;
  auto given = args.set.find(plugin);
  if (given == args.set.end()) return s;
  for (const auto& [key, text] : given->second) s += (s.empty() ? "" : " ") + key + "=" + text;
  return s;
}

struct Scoring {
  double users_per_second = 0;
  double users_per_cpu_second = 0;
  const char* via = "";
};

// Scores `count` users spread evenly over the ids against every item, in
// blocks of kScoreBlock, in parallel in `arena`.
Scoring MeasureScoring(const FittedArm& arm, const TrainData& train, size_t count, tbb::task_arena& arena) {
  count = std::min<size_t>(count, train.num_users);
  std::vector<uint32_t> users(count);
  for (size_t i = 0; i < count; ++i) users[i] = static_cast<uint32_t>(i * train.num_users / count);
  std::vector<uint32_t> all_items(train.num_items);
  std::iota(all_items.begin(), all_items.end(), 0u);
  const bool batch = (arm.capabilities & kCapScoreBatch) != 0;
  const size_t width = train.num_items, blocks = (count + kScoreBlock - 1) / kScoreBlock;
  std::mutex failure_mutex;
  Status failure;
  const auto start = Clock::now();
  const double cpu = CpuSeconds();
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, blocks, [&](size_t b) {
      const size_t begin = b * kScoreBlock, end = std::min(count, begin + kScoreBlock);
      std::vector<float> out((end - begin) * width);
      Status s;
      if (batch) {
        s = arm.model->ScoreBatch(std::span<const uint32_t>(users).subspan(begin, end - begin), out);
      } else {
        for (size_t r = 0; r < end - begin && s.ok(); ++r) {
          s = arm.model->Score(users[begin + r], all_items, std::span<float>(out).subspan(r * width, width));
        }
      }
      if (!s.ok()) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (failure.ok()) failure = s;
      }
    });
  });
  const double wall = Seconds(start), cpu_used = CpuSeconds() - cpu;
  if (!failure.ok()) throw Error("scoring failed: " + failure.ToString());
  return {count / wall, count / std::max(cpu_used, 1e-9), batch ? "ScoreBatch" : "Score"};
}

// One row for a model that has no figures (unknown, bad parameters, crashed).
void PrintEmptyRow(const std::string& name, double dense_bytes, const std::string& notes) {
  std::printf("| %s | – | – | – | – | %.0f | – | – | – | %s | %s |\n", name.c_str(), dense_bytes / kMiB,
              LoadAverage().c_str(), Cell(notes).c_str());
  std::fflush(stdout);
}

// Fits and scores one model on `train` and prints its row.
void MeasureModel(const std::string& name, const Args& args, const PluginRegistry& registry,
                  const TrainData& train, tbb::task_arena& arena) {
  const double dense_bytes = 4.0 * train.num_users * train.num_items;
  std::string notes = Shown(args, name);
  auto note = [&](const std::string& more) { notes += (notes.empty() ? "" : "; ") + more; };
  ArmSpec arm;
  try {
    arm.name = name;
    arm.recommender.plugin = name;
    arm.recommender.params = Overrides(registry, args, name);
    const PluginInfo* info = registry.Find(PluginKind::kRecommender, name);
    if (info == nullptr) registry.CreateRecommender(name);  // throws: unknown name, with "did you mean"
    if (info->capabilities & kCapComposite) {
      std::string list;
      for (const std::string& child : args.children) {
        PluginUse use;
        use.plugin = child;
        use.params = Overrides(registry, args, child);
        arm.children.push_back(use);
        list += (list.empty() ? "" : " + ") + child;
        const std::string shown = Shown(args, child);
        if (!shown.empty()) list += " (" + shown + ")";
      }
      note("children " + list + ", fitted inside its fit");
    }
  } catch (const std::exception& e) {
    note(std::string("**failed**: ") + e.what());
    PrintEmptyRow(name, dense_bytes, notes);
    return;
  }
  Context ctx;
  ctx.seed = 42;
  ctx.num_threads = args.threads;

  const size_t rss0 = TrimmedRss();
  ResetPeakRss();
  const auto start = Clock::now();
  const double cpu0 = CpuSeconds();
  FittedArm fitted;
  try {
    fitted = FitArm(registry, arm, train, ctx, arena);
  } catch (const std::exception& e) {
    const double wall = Seconds(start), cpu = CpuSeconds() - cpu0;
    const size_t peak = PeakRssBytes();
    note(std::string("**refused**: ") + e.what());
    std::printf("| %s | %.2f | %.2f | %.1f | – | %.0f | – | – | – | %s | %s |\n", name.c_str(), wall, cpu,
                (peak > rss0 ? peak - rss0 : 0) / kMiB, dense_bytes / kMiB, LoadAverage().c_str(),
                Cell(notes).c_str());
    std::fflush(stdout);
    return;
  }
  const double wall = Seconds(start), cpu = CpuSeconds() - cpu0;
  const size_t peak = PeakRssBytes();
  const size_t kept = TrimmedRss();
  const double peak_above = peak > rss0 ? static_cast<double>(peak - rss0) : 0.0;
  const double kept_above = kept > rss0 ? static_cast<double>(kept - rss0) : 0.0;
  std::string per_second = "–", per_cpu_second = "–";
  try {
    const Scoring scoring = MeasureScoring(fitted, train, args.score_users, arena);
    per_second = std::to_string(std::lround(scoring.users_per_second));
    per_cpu_second = std::to_string(std::lround(scoring.users_per_cpu_second));
    if (std::string(scoring.via) == "Score") note("scored with Score (no ScoreBatch)");
  } catch (const std::exception& e) {
    note(e.what());
  }
  std::printf("| %s | %.2f | %.2f | %.1f | %.1f | %.0f | %.2g | %s | %s | %s | %s |\n", name.c_str(), wall,
              cpu, peak_above / kMiB, kept_above / kMiB, dense_bytes / kMiB, peak_above / dense_bytes,
              per_second.c_str(), per_cpu_second.c_str(), LoadAverage().c_str(), Cell(notes).c_str());
  std::fflush(stdout);
}

// Makes the training data and measures `models` one after the other in this
// process. Returns the exit status.
int MeasureHere(const Args& args, const PluginRegistry& registry, const std::vector<std::string>& models) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, args.threads);
  tbb::task_arena arena(args.threads);
  // The training data: every interaction of the preset, with timestamps and
  // item features, as a run's training view holds them. The dataset itself
  // is freed before any model is measured.
  const auto start = Clock::now();
  OwnedTrainData owned;
  try {
    arena.execute([&] {
      SynthOptions options;
      options.preset = args.preset;
      Dataset d = GenerateSynthetic(options);
      owned = OwnedTrainData::Build(d.num_users(), d.num_items(), d.users, d.items, d.values, d.timestamps,
                                    d.explicit_feedback);
      owned.SetItemFeatures(std::move(d.item_features));
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fit_bench: %s\n", e.what());
    return 1;
  }
  if (!ResetPeakRss()) {
    std::fprintf(stderr, "fit_bench: the kernel refused to reset the peak RSS: peaks are process-wide\n");
  }
  std::fprintf(stderr, "fit_bench: %s made in %.1f s; %.0f MiB resident before the fits (data and plugins)\n",
               args.preset.c_str(), Seconds(start), TrimmedRss() / kMiB);
  for (const std::string& name : models) MeasureModel(name, args, registry, owned.view(), arena);
  return 0;
}

// Runs this program once per model (--child), stopping one that runs longer
// than --max-seconds, and prints a row for one that dies.
void MeasureEachInItsOwnProcess(int argc, char** argv, const Args& args, const PluginRegistry& registry,
                                const std::vector<std::string>& models, double dense_bytes) {
  for (const std::string& name : models) {
    if (registry.Find(PluginKind::kRecommender, name) == nullptr) {  // no need to make the data to say so
      try {
        registry.CreateRecommender(name);
      } catch (const std::exception& e) {
        PrintEmptyRow(name, dense_bytes, std::string("**failed**: ") + e.what());
      }
      continue;
    }
    std::vector<std::string> words(argv, argv + argc);
    words.insert(words.end(), {"--models", name, "--child", "1"});
    std::vector<char*> child_argv;
    for (std::string& w : words) child_argv.push_back(w.data());
    child_argv.push_back(nullptr);
    std::fflush(stdout);
    std::fflush(stderr);
    const auto start = Clock::now();
    const pid_t pid = fork();
    if (pid < 0) {
      PrintEmptyRow(name, dense_bytes, std::string("**failed**: fork: ") + std::strerror(errno));
      continue;
    }
    if (pid == 0) {
      execv("/proc/self/exe", child_argv.data());
      std::fprintf(stderr, "fit_bench: exec: %s\n", std::strerror(errno));
      _exit(127);
    }
    int status = 0;
    bool stopped = false;
    while (waitpid(pid, &status, WNOHANG) == 0) {
      if (args.max_seconds > 0 && Seconds(start) > args.max_seconds) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        stopped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (stopped) {
      char text[96];
      std::snprintf(text, sizeof text, "**stopped** after %.0f s (--max-seconds, data making included)",
                    args.max_seconds);
      PrintEmptyRow(name, dense_bytes, text);
    } else if (WIFSIGNALED(status)) {
      PrintEmptyRow(name, dense_bytes,
                    std::string("**crashed**: killed by signal ") + strsignal(WTERMSIG(status)));
    } else if (WEXITSTATUS(status) != 0) {
      PrintEmptyRow(
          name, dense_bytes,
          "**failed**: exited with status " + std::to_string(WEXITSTATUS(status)) + " (see stderr)");
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  PluginRegistry registry;
  try {
    registry.LoadDirectory(args.plugin_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fit_bench: %s\n", e.what());
    return 1;
  }
  if (args.child) return MeasureHere(args, registry, args.models);

  for (const auto& refused : registry.Refused()) std::fprintf(stderr, "refused %s\n", refused.reason.c_str());
  const std::vector<std::string> models =
      args.models.empty() ? registry.Names(PluginKind::kRecommender) : args.models;
  const auto& presets = SynthPresetInfos();
  const auto preset = std::find_if(presets.begin(), presets.end(),
                                   [&](const SynthPresetInfo& p) { return p.name == args.preset; });
  if (preset == presets.end()) {
    std::string names;
    for (const auto& p : presets) names += (names.empty() ? "" : ", ") + p.name;
    Usage("unknown preset '" + args.preset + "' (presets: " + names + ")");
  }
  std::printf(
      "Fit cost on the synthetic `%s` preset: %u users, %u items, %llu interactions, all of them training. "
      "%d threads; %s; load average %s at the start; %s.\n\n",
      args.preset.c_str(), preset->users, preset->items,
      static_cast<unsigned long long>(preset->interactions), args.threads, Today().c_str(),
      LoadAverage().c_str(), args.isolate ? "each model in a fresh process" : "all models in one process");
  std::printf(
      "| model | fit wall s | fit CPU s | fit peak MiB | kept MiB | dense users × items MiB | peak / dense | "
      "users/s scored | users per CPU-s | load | notes |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  std::fflush(stdout);
  int status = 0;
  if (args.isolate) {
    MeasureEachInItsOwnProcess(argc, argv, args, registry, models, 4.0 * preset->users * preset->items);
  } else {
    status = MeasureHere(args, registry, models);
  }
  std::printf("\nLoad average %s at the end.\n", LoadAverage().c_str());
  return status;
}
