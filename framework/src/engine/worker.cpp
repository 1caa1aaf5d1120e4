// The worker process: `reclift __cell TASK.json` runs one cell and writes
// its result into the cell store beside the task file.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <atomic>
#include <backward.hpp>
#include <cstring>
#include <fstream>
#include <new>
#include <vector>

#include "engine/execute_cell.h"
#include "engine/executor.h"
#include "engine/run_folder.h"
#include "engine/split_file.h"

namespace reclift::host::engine {
namespace fs = std::filesystem;
namespace {

int g_phase_fd = -1;

void WritePhase(const char* phase) {
  if (g_phase_fd < 0) return;
  const size_t n = std::strlen(phase);
  if (::pwrite(g_phase_fd, phase, n, 0) == static_cast<ssize_t>(n)) {
    if (::ftruncate(g_phase_fd, static_cast<off_t>(n)) != 0) return;
  }
}

// Prints the stack of the crashing thread to standard error (the .err file
// of the cell), then dies of the same signal so the driver sees it.
void OnFatalSignal(int sig, siginfo_t* info, void* context) {
  // first the signal itself (async-signal-safe), in case the trace fails
  char head[64] = "reclift worker: fatal signal ";
  size_t n = std::strlen(head);
  if (sig >= 10) head[n++] = static_cast<char>('0' + sig / 10);
  head[n++] = static_cast<char>('0' + sig % 10);
  head[n++] = '\n';
  ssize_t ignored = ::write(2, head, n);
  (void)ignored;
  (void)info;
  (void)context;
  backward::StackTrace st;
  st.load_here(48);
  st.skip_n_firsts(2);
  backward::Printer printer;
  printer.address = true;
  printer.print(st, stderr);
  std::fflush(stderr);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void InstallCrashHandlers() {
  // symbolising a trace needs more than the default alternate stack
  static std::vector<char> stack(size_t{4} << 20);
  stack_t ss{};
  ss.ss_sp = stack.data();
  ss.ss_size = stack.size();
  ::sigaltstack(&ss, nullptr);
  struct sigaction sa {};
  sa.sa_sigaction = OnFatalSignal;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL, SIGQUIT}) ::sigaction(s, &sa, nullptr);
}

size_t VirtualBytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmSize:", 0) == 0) return std::stoull(line.substr(7)) * 1024;
  }
  return 0;
}

void OutOfMemory() {
  const char msg[] = "reclift worker: an allocation failed under cell_memory_mb\n";
  ssize_t ignored = ::write(2, msg, sizeof msg - 1);
  (void)ignored;
  ::_exit(kWorkerExitMemory);
}

// Caps the address space at what the worker has mapped now (program,
// plugins, split file, thread stacks) plus the cell's budget.
void LimitMemory(size_t megabytes, tbb::task_arena& arena) {
  // start the arena's threads (and their malloc arenas) before measuring
  arena.execute([] {
    tbb::parallel_for(0, 256, [](int) {
      volatile char* p = new char[4096];
      p[0] = 1;
      delete[] p;
    });
  });
  const size_t limit = VirtualBytes() + megabytes * (size_t{1} << 20);
  rlimit rl{limit, limit};
  ::setrlimit(RLIMIT_AS, &rl);
  std::set_new_handler(OutOfMemory);
}

}  // namespace

int RunCellWorker(const fs::path& task_file) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // die with the driver
  InstallCrashHandlers();
  CellTask task;
  try {
    std::ifstream in(task_file);
    task = TaskFromJson(nlohmann::json::parse(in));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "reclift worker: cannot read the task %s: %s\n", task_file.c_str(), e.what());
    return 2;
  }
  const CellFiles files = FilesOf(task_file.parent_path(), task.key);
  g_phase_fd = ::open(files.phase.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  WritePhase("load");
  auto logger = std::make_shared<spdlog::logger>(
      "cell", std::make_shared<spdlog::sinks::basic_file_sink_mt>(files.log.string(), true));
  logger->set_pattern("[%H:%M:%S] %l %v");
  logger->set_level(spdlog::level::debug);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  try {
    PluginRegistry registry;
    for (const auto& p : task.plugins) registry.LoadFile(p);
    MappedSplit split(task.split_file);
    tbb::task_arena arena(std::max(1, task.threads));
    if (task.memory_mb > 0) LimitMemory(task.memory_mb, arena);
    CellResult r = ExecuteCell(task, registry, split.inputs(), arena, WritePhase);
    r.host = HostName();
    if (!r.ok && task.memory_mb > 0 && r.error.find("bad_alloc") != std::string::npos) {
      r.failure = "memory";
      r.error = "exceeded cell_memory_mb = " + std::to_string(task.memory_mb) + ": " + r.error;
    }
    std::set_new_handler(nullptr);
    WriteCellResult(files.result, r);
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    std::fprintf(stderr, "reclift worker: %s\n", e.what());
    return 2;
  }
  return 0;
}

}  // namespace reclift::host::engine
