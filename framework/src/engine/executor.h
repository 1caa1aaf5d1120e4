// Executors: how cells are run.
//
//   InProcessExecutor  (isolation = "none")    in the driver, one after the
//                      other; for debugging under gdb. A crash takes the run.
//   ProcessExecutor    (isolation = "process", the default) each cell in a
//                      worker process of the reclift program (`reclift
//                      __cell TASK.json`), which maps the split file, runs
//                      the cell and writes its result into the cell store.
//                      A crash, a timeout (cell_timeout) or a memory overrun
//                      (cell_memory_mb) fails that cell alone, with the
//                      reason, the last lines of its log and a stack trace.
//                      Up to `parallel` workers run at once.
//
// Both call `done(index, result)` on the calling thread as each task
// finishes, after its result is in the store (cells/<key>.cell). Results do
// not depend on the executor or on the parallelism.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>
#include <tbb/task_arena.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "engine/cell.h"
#include "plugin_host/registry.h"

namespace reclift::host::engine {

using DoneCallback = std::function<void(size_t index, CellResult&& result)>;

class CellExecutor {
 public:
  virtual ~CellExecutor() = default;
  virtual void Run(const std::vector<CellTask>& tasks, const DoneCallback& done) = 0;
};

// The files of a cell in the store: <dir>/<key>.cell (result), .task.json
// (what a worker runs; `reclift __cell` on it reproduces the cell), .log
// (the cell's log lines), .err (a worker's standard error: stack traces),
// .phase (the phase a worker is in).
struct CellFiles {
  std::filesystem::path result, task, log, err, phase;
};
CellFiles FilesOf(const std::filesystem::path& cells_dir, const std::string& key);

class InProcessExecutor final : public CellExecutor {
 public:
  // `inputs(group)` gives the data of a split group (it must outlive Run).
  InProcessExecutor(const PluginRegistry& registry, std::function<CellInputs(size_t group)> inputs,
                    std::filesystem::path cells_dir, tbb::task_arena& arena);
  void Run(const std::vector<CellTask>& tasks, const DoneCallback& done) override;

 private:
  const PluginRegistry& registry_;
  std::function<CellInputs(size_t)> inputs_;
  std::filesystem::path cells_dir_;
  tbb::task_arena& arena_;
};

// The program a worker process runs: $RECLIFT_WORKER, else this program
// when it is reclift, else the reclift beside it, of the build tree, or
// installed. Throws Error when there is none.
std::filesystem::path WorkerProgram();

struct ProcessExecutorOptions {
  std::filesystem::path program;    // the reclift executable (default WorkerProgram())
  std::filesystem::path cells_dir;  // the cell store
  int parallel = 1;                 // workers at once
  int rank = 0;                     // MPI rank recorded in results
};

// Worker processes under way, for executors that schedule them (the
// process and MPI executors): Launch starts a cell's worker, Poll reaps
// the finished ones (enforcing each cell's timeout) and reports them.
class WorkerPool {
 public:
  WorkerPool(std::filesystem::path program, std::filesystem::path cells_dir, int rank = 0);
  ~WorkerPool();  // kills what still runs
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void Launch(size_t index, const CellTask& task);
  // Calls done(index, result) for every worker that ended; returns how many.
  size_t Poll(const DoneCallback& done);
  size_t running() const { return running_.size(); }

 private:
  struct Running {
    size_t index;
    pid_t pid;
    std::chrono::steady_clock::time_point start;
    bool quit_sent;
    std::chrono::steady_clock::time_point quit_at;
    CellTask task;
  };
  CellResult Collect(const Running& run, int status, const struct rusage& usage, bool exited) const;

  std::filesystem::path program_;
  std::filesystem::path cells_dir_;
  int rank_;
  std::vector<Running> running_;
};

class ProcessExecutor final : public CellExecutor {
 public:
  explicit ProcessExecutor(ProcessExecutorOptions options);
  void Run(const std::vector<CellTask>& tasks, const DoneCallback& done) override;

 private:
  ProcessExecutorOptions options_;
};

// The exit code a worker uses when an allocation fails under its memory limit.
inline constexpr int kWorkerExitMemory = 75;

// The worker's side: runs the task of `task_file` and writes its result.
// Returns the process exit code.
int RunCellWorker(const std::filesystem::path& task_file);

// "SIGSEGV", "SIGABRT", ... ("signal 42" for others).
std::string SignalName(int sig);

}  // namespace reclift::host::engine
