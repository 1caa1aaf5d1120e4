#include "engine/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <sstream>
#include <thread>

#include "engine/execute_cell.h"
#include "util/atomic_file.h"
#include "util/error.h"

extern char** environ;

namespace reclift::host::engine {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

std::string ReadSmall(const fs::path& p, size_t max_bytes) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const auto size = static_cast<size_t>(std::max<std::streamoff>(in.tellg(), 0));
  const size_t from = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(from));
  std::string s(size - from, '\0');
  in.read(s.data(), static_cast<std::streamsize>(s.size()));
  return s;
}

std::vector<std::string> LastLines(const fs::path& p, size_t n) {
  std::istringstream in(ReadSmall(p, 16384));
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    lines.push_back(line);
    if (lines.size() > n) lines.pop_front();
  }
  return {lines.begin(), lines.end()};
}

// The signal the worker's crash handler saw first (a second fault while it
// prints the trace would otherwise hide it), else `fallback`.
int FirstSignal(const fs::path& err, int fallback) {
  std::istringstream in(ReadSmall(err, 1 << 20));
  const std::string marker = "reclift worker: fatal signal ";
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(marker, 0) == 0) {
      try {
        return std::stoi(line.substr(marker.size()));
      } catch (const std::exception&) {
        return fallback;
      }
    }
  }
  return fallback;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// "Fit" for people, from the phase a worker wrote.
std::string PhaseText(const std::string& phase) {
  if (phase == "fit") return "Fit";
  if (phase == "rank") return "scoring";
  if (phase == "evaluate") return "evaluation";
  if (phase.empty() || phase == "load") return "start-up";
  return phase;
}

std::string PluginOf(const CellTask& t) {
  if (t.key_parts.contains("arm") && t.key_parts["arm"].contains("plugin")) {
    return t.key_parts["arm"]["plugin"].get<std::string>();
  }
  return t.arm.recommender.plugin;
}

}  // namespace

std::string SignalName(int sig) {
  switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGQUIT: return "SIGQUIT";
    case SIGXCPU: return "SIGXCPU";
    case SIGPIPE: return "SIGPIPE";
    default: return "signal " + std::to_string(sig);
  }
}

CellFiles FilesOf(const fs::path& dir, const std::string& key) {
  return {dir / (key + ".cell"), dir / (key + ".task.json"), dir / (key + ".log"), dir / (key + ".err"),
          dir / (key + ".phase")};
}

InProcessExecutor::InProcessExecutor(const PluginRegistry& registry, std::function<CellInputs(size_t)> inputs,
                                     fs::path cells_dir, tbb::task_arena& arena)
    : registry_(registry), inputs_(std::move(inputs)), cells_dir_(std::move(cells_dir)), arena_(arena) {}

void InProcessExecutor::Run(const std::vector<CellTask>& tasks, const DoneCallback& done) {
  for (size_t i = 0; i < tasks.size(); ++i) {
    CellTask task = tasks[i];
    task.threads = arena_.max_concurrency();
    CellResult r = ExecuteCell(task, registry_, inputs_(task.group), arena_);
    if (!r.ok) {
      r.error = r.error + " (in " + PhaseText(r.phase) + " of plugin " + PluginOf(task) + ")";
    }
    WriteCellResult(FilesOf(cells_dir_, task.key).result, r);
    done(i, std::move(r));
  }
}

ProcessExecutor::ProcessExecutor(ProcessExecutorOptions options) : options_(std::move(options)) {
  options_.parallel = std::max(1, options_.parallel);
}

namespace {

pid_t Spawn(const fs::path& program, const CellFiles& files) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string err = files.err.string();
  posix_spawn_file_actions_addopen(&actions, 1, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s : {SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGSEGV, SIGABRT}) sigaddset(&defaults, s);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  const std::string prog = program.string(), task = files.task.string();
  std::vector<char*> argv = {const_cast<char*>(prog.c_str()), const_cast<char*>("__cell"),
                             const_cast<char*>(task.c_str()), nullptr};
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, prog.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw Error("cannot start a worker process (" + prog + "): " + std::strerror(rc));
  return pid;
}

}  // namespace

fs::path WorkerProgram() {
  if (const char* env = std::getenv("RECLIFT_WORKER"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && self.filename() == "reclift") return self;
  // a program that embeds the host (a test, a bench): the reclift beside
  // it, else the build tree's, else the installed one
  for (const fs::path& p : {self.parent_path() / "reclift", fs::path(RECLIFT_BUILD_BIN_DIR) / "reclift",
                            self.parent_path().parent_path() / "bin" / "reclift"}) {
    if (!ec && fs::exists(p)) return p;
  }
  throw Error(
      "cannot find the reclift program to run worker processes (set RECLIFT_WORKER to its path, "
      "or use isolation = \"none\")");
}

WorkerPool::WorkerPool(std::filesystem::path program, std::filesystem::path cells_dir, int rank)
    : program_(std::move(program)), cells_dir_(std::move(cells_dir)), rank_(rank) {
  if (program_.empty()) program_ = WorkerProgram();
}

WorkerPool::~WorkerPool() {
  for (const auto& run : running_) {
    ::kill(run.pid, SIGKILL);
    ::waitpid(run.pid, nullptr, 0);
  }
}

void WorkerPool::Launch(size_t index, const CellTask& task) {
  const CellFiles files = FilesOf(cells_dir_, task.key);
  std::error_code ec;
  fs::remove(files.result, ec);
  fs::remove(files.phase, ec);
  WriteFileAtomic(files.task, TaskToJson(task).dump(1), /*sync=*/false);  // remade on resume
  running_.push_back({index, Spawn(program_, files), Clock::now(), false, Clock::now(), task});
}

CellResult WorkerPool::Collect(const Running& run, int status, const rusage& usage, bool exited) const {
  const CellTask& task = run.task;
  const CellFiles files = FilesOf(cells_dir_, task.key);
  const double seconds = std::chrono::duration<double>(Clock::now() - run.start).count();
  std::optional<CellResult> result;
  if (exited && WIFEXITED(status) && WEXITSTATUS(status) == 0) result = ReadCellResult(files.result);
  if (result && result->ok) {
    result->peak_rss = std::max<size_t>(result->peak_rss, static_cast<size_t>(usage.ru_maxrss) * 1024);
    result->rank = rank_;
    return std::move(*result);
  }
  CellResult f = result ? std::move(*result) : CellResult{};
  f.key = task.key;
  f.label = task.label;
  f.arm_name = task.arm_name;
  f.key_parts = task.key_parts;
  f.ok = false;
  f.seconds = seconds;
  f.rank = rank_;
  f.peak_rss = static_cast<size_t>(usage.ru_maxrss) * 1024;
  if (f.phase.empty()) f.phase = Trim(ReadSmall(files.phase, 64));
  const std::string where = " in " + PhaseText(f.phase) + " of plugin " + PluginOf(task);
  if (result) {
    // the worker reported the failure itself (an error Status, an
    // exception, or an allocation refused under its memory limit)
    f.error = f.error + " (" + where.substr(1) + ")";
  } else if (run.quit_sent) {
    f.failure = "timeout";
    std::ostringstream msg;
    msg << "timed out after " << task.timeout_seconds << " s (cell_timeout)" << where;
    f.error = msg.str();
  } else if (exited && WIFEXITED(status) &&
             (WEXITSTATUS(status) == kWorkerExitMemory ||
              (task.memory_mb > 0 &&
               ReadSmall(files.err, 1 << 16).find("out of memory") != std::string::npos))) {
    // our new-handler's exit, or an allocator that reports running out
    // under the limit itself (AddressSanitizer's does)
    f.failure = "memory";
    f.error = "exceeded cell_memory_mb = " + std::to_string(task.memory_mb) + where;
  } else if (exited && WIFSIGNALED(status)) {
    f.failure = "crash";
    f.error = SignalName(FirstSignal(files.err, WTERMSIG(status))) + where;
  } else {
    f.failure = "crash";
    f.error = exited && WIFEXITED(status)
                  ? "the worker exited with code " + std::to_string(WEXITSTATUS(status)) + where +
                        " without a result"
                  : "the worker was lost" + where;
  }
  f.last_lines = LastLines(files.log, 12);
  if (f.failure != "error") f.trace = Trim(ReadSmall(files.err, 12000));
  WriteCellResult(files.result, f);
  return f;
}

size_t WorkerPool::Poll(const DoneCallback& done) {
  size_t finished = 0;
  for (size_t r = 0; r < running_.size();) {
    Running& run = running_[r];
    int status = 0;
    rusage usage{};
    const pid_t got = ::wait4(run.pid, &status, WNOHANG, &usage);
    if (got == 0) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - run.start).count();
      if (run.task.timeout_seconds > 0 && elapsed > run.task.timeout_seconds) {
        if (!run.quit_sent) {
          ::kill(run.pid, SIGQUIT);  // the worker prints its stack trace, then dies
          run.quit_sent = true;
          run.quit_at = Clock::now();
        } else if (Clock::now() - run.quit_at > std::chrono::seconds(2)) {
          ::kill(run.pid, SIGKILL);
        }
      }
      ++r;
      continue;
    }
    if (got < 0 && errno == EINTR) continue;
    CellResult result = Collect(run, status, usage, got > 0);
    const size_t index = run.index;
    running_.erase(running_.begin() + static_cast<std::ptrdiff_t>(r));
    ++finished;
    done(index, std::move(result));
  }
  return finished;
}

void ProcessExecutor::Run(const std::vector<CellTask>& tasks, const DoneCallback& done) {
  WorkerPool pool(options_.program, options_.cells_dir, options_.rank);
  std::deque<size_t> pending;
  for (size_t i = 0; i < tasks.size(); ++i) pending.push_back(i);
  while (!pending.empty() || pool.running() > 0) {
    while (!pending.empty() && static_cast<int>(pool.running()) < options_.parallel) {
      pool.Launch(pending.front(), tasks[pending.front()]);
      pending.pop_front();
    }
    if (pool.Poll(done) == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

}  // namespace reclift::host::engine
