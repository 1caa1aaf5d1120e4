#include "engine/mpi.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "util/atomic_file.h"
#include "util/error.h"

#if RECLIFT_WITH_MPI
#define OMPI_SKIP_MPICXX 1  // the C API only (no C++ bindings to link)
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

namespace reclift::host::engine::mpi {
namespace fs = std::filesystem;

bool Launched() {
#if RECLIFT_WITH_MPI
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MPI_LOCALNRANKS"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && std::atoi(v) > 1) return true;
  }
  // srun without Open MPI's variables: Slurm's own
  const char* ntasks = std::getenv("SLURM_NTASKS");
  return std::getenv("PMI_RANK") != nullptr && ntasks != nullptr && std::atoi(ntasks) > 1;
#else
  return false;
#endif
}

#if RECLIFT_WITH_MPI
namespace {

enum Tag : int { kTask = 1, kDone = 2, kStop = 3, kSplit = 4, kResult = 5 };

bool g_active = false;
int g_rank = 0, g_size = 1;
Options g_options;

void SendBytes(const std::string& bytes, int to, int tag) {
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max())) {
    throw Error("MPI: a message of " + std::to_string(bytes.size()) +
                " bytes is larger than MPI can send at once");
  }
  MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_CHAR, to, tag, MPI_COMM_WORLD);
}

std::string RecvBytes(int from, int tag, MPI_Status* status_out = nullptr) {
  MPI_Status status;
  MPI_Probe(from, tag, MPI_COMM_WORLD, &status);
  int count = 0;
  MPI_Get_count(&status, MPI_CHAR, &count);
  std::string bytes(static_cast<size_t>(count), '\0');
  MPI_Recv(bytes.data(), count, MPI_CHAR, status.MPI_SOURCE, status.MPI_TAG, MPI_COMM_WORLD,
           MPI_STATUS_IGNORE);
  if (status_out != nullptr) *status_out = status;
  return bytes;
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class MpiExecutor final : public CellExecutor {
 public:
  explicit MpiExecutor(fs::path cells_dir) : cells_dir_(std::move(cells_dir)) {}

  void Run(const std::vector<CellTask>& tasks, const DoneCallback& done) override {
    // largest first, so the long cells do not end up last on one rank
    std::vector<size_t> order(tasks.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return tasks[a].cost > tasks[b].cost; });
    std::deque<size_t> pending(order.begin(), order.end());
    WorkerPool local(fs::path(), cells_dir_, 0);
    std::set<int> idle;
    for (int r = 1; r < g_size; ++r) idle.insert(r);
    size_t outstanding = 0;
    while (!pending.empty() || local.running() > 0 || outstanding > 0) {
      if (!pending.empty() && local.running() == 0) {  // rank 0 runs cells too
        local.Launch(pending.front(), tasks[pending.front()]);
        pending.pop_front();
      }
      while (!pending.empty() && !idle.empty()) {
        const int rank = *idle.begin();
        idle.erase(idle.begin());
        Send(rank, pending.front(), tasks[pending.front()]);
        pending.pop_front();
        ++outstanding;
      }
      size_t progress = local.Poll(done);
      int flag = 0;
      MPI_Status status;
      MPI_Iprobe(MPI_ANY_SOURCE, kDone, MPI_COMM_WORLD, &flag, &status);
      if (flag) {
        const int rank = status.MPI_SOURCE;
        const nlohmann::json reply = nlohmann::json::parse(RecvBytes(rank, kDone));
        const size_t index = reply.at("index");
        const fs::path file = FilesOf(cells_dir_, tasks[index].key).result;
        if (g_options.send_data) WriteFileAtomic(file, RecvBytes(rank, kResult));
        std::optional<CellResult> r = ReadCellResult(file);
        if (!r) {
          r = CellResult{};
          r->key = tasks[index].key;
          r->label = tasks[index].label;
          r->arm_name = tasks[index].arm_name;
          r->key_parts = tasks[index].key_parts;
          r->failure = "crash";
          r->error = "rank " + std::to_string(rank) + " returned no readable result";
        }
        r->rank = rank;
        idle.insert(rank);
        --outstanding;
        ++progress;
        done(index, std::move(*r));
      }
      if (progress == 0) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

 private:
  void Send(int rank, size_t index, const CellTask& task) {
    if (g_options.send_data && sent_[rank].insert(task.split_file.string()).second) {
      SendBytes(nlohmann::json{{"path", task.split_file.string()}}.dump(), rank, kSplit);
      SendBytes(ReadAll(task.split_file), rank, kSplit);
    }
    SendBytes(nlohmann::json{{"index", index}, {"cells_dir", cells_dir_.string()}, {"task", TaskToJson(task)}}
                  .dump(),
              rank, kTask);
  }

  fs::path cells_dir_;
  std::map<int, std::set<std::string>> sent_;  // split files each rank has (send_data)
};

}  // namespace

void Init(int* argc, char*** argv) {
  if (!Launched()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_active = g_size > 1;
}

void Finalize() {
  if (g_active) MPI_Finalize();
  g_active = false;
}

bool Active() {
  return g_active;
}
int Rank() {
  return g_rank;
}
int Size() {
  return g_size;
}
void Configure(const Options& options) {
  g_options = options;
}

int ServeCells() {
  // with send_data, split files and cells live in a folder of this rank's own
  fs::path local;
  std::map<std::string, fs::path> splits;  // rank 0's path -> ours
  if (g_options.send_data) {
    local = fs::temp_directory_path() /
            ("reclift-rank-" + std::to_string(g_rank) + "-" + std::to_string(::getpid()));
    fs::create_directories(local / "cells");
  }
  for (;;) {
    // wait without spinning: a blocking probe busy-polls a core that the
    // driver (or another rank's cell) could use
    MPI_Status status;
    for (int flag = 0;;) {
      MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
      if (flag) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (status.MPI_TAG == kStop) {
      RecvBytes(0, kStop);
      break;
    }
    if (status.MPI_TAG == kSplit) {
      const auto head = nlohmann::json::parse(RecvBytes(0, kSplit));
      const fs::path mine = local / ("split-" + std::to_string(splits.size()) + ".bin");
      WriteFileAtomic(mine, RecvBytes(0, kSplit));
      splits[head.at("path").get<std::string>()] = mine;
      continue;
    }
    const auto message = nlohmann::json::parse(RecvBytes(0, kTask));
    CellTask task = TaskFromJson(message.at("task"));
    fs::path cells_dir = message.at("cells_dir").get<std::string>();
    if (g_options.send_data) {
      cells_dir = local / "cells";
      task.split_file = splits.at(task.split_file.string());
    }
    WorkerPool pool(fs::path(), cells_dir, g_rank);
    pool.Launch(0, task);
    bool ok = false;
    while (pool.Poll([&](size_t, CellResult&& r) { ok = r.ok; }) == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    SendBytes(nlohmann::json{{"index", message.at("index")}, {"ok", ok}, {"rank", g_rank}}.dump(), 0, kDone);
    if (g_options.send_data) SendBytes(ReadAll(FilesOf(cells_dir, task.key).result), 0, kResult);
  }
  if (!local.empty()) {
    std::error_code ec;
    fs::remove_all(local, ec);
  }
  return 0;
}

void StopServers() {
  if (!g_active || g_rank != 0) return;
  for (int r = 1; r < g_size; ++r) SendBytes("stop", r, kStop);
}

std::unique_ptr<CellExecutor> MakeExecutor(const fs::path& cells_dir) {
  return std::make_unique<MpiExecutor>(cells_dir);
}

#else  // without MPI: one machine

void Init(int*, char***) {}
void Finalize() {}
bool Active() {
  return false;
}
int Rank() {
  return 0;
}
int Size() {
  return 1;
}
void Configure(const Options&) {}
int ServeCells() {
  return 0;
}
void StopServers() {}
std::unique_ptr<CellExecutor> MakeExecutor(const fs::path& cells_dir) {
  ProcessExecutorOptions o;
  o.cells_dir = cells_dir;
  return std::make_unique<ProcessExecutor>(o);
}

#endif

}  // namespace reclift::host::engine::mpi
