// Scale-out with MPI: the cells of a run (or a suite) spread over the ranks
// of `mpirun -np N reclift run|suite FILE` (or `srun`).
//
// Rank 0 is the driver: it plans, loads and splits, writes each split file
// into the run folder, hands cells out dynamically (the next cell, largest
// first by a cost estimate, to the first idle rank; rank 0 runs cells too),
// collects every finished cell into the cell store, analyses and writes
// every output. The other ranks only execute cells, each in a worker process
// through the same WorkerPool (isolation, limits) as on one machine.
//
// Data: by default the run folder must be on a file system every rank sees
// (ranks map the split files from it and write their cells into it). With
// `--mpi-send-data` rank 0 sends each split file to a rank with MPI the first
// time it needs it, and the rank sends each cell's result back.
//
// Faults: a cell that crashes fails alone, as on one machine. A rank that
// dies takes the job down (Open MPI's default), but every finished cell is
// already in the store, so `--resume` completes the rest; a rank that never
// answers is covered by cell_timeout on its own worker.
//
// Built when RECLIFT_WITH_MPI is on (the default when Open MPI is found);
// without it, Launched() is false and everything runs on one machine.
#pragma once

#include <memory>

#include "engine/executor.h"

namespace reclift::host::engine::mpi {

// True when this process was started by an MPI launcher with more than one
// rank (and the build has MPI).
bool Launched();
// Initialises MPI when Launched(); call first in main.
void Init(int* argc, char*** argv);
void Finalize();
bool Active();  // initialised, more than one rank
int Rank();
int Size();

struct Options {
  bool send_data = false;  // no shared file system: split files and results travel by MPI
};
void Configure(const Options& options);

// Rank > 0: executes the cells rank 0 sends until it says stop. Returns the
// process exit code.
int ServeCells();
// Rank 0, at the end: tells every other rank to stop.
void StopServers();

// Rank 0's executor: cells over every rank (rank 0's own share included).
std::unique_ptr<CellExecutor> MakeExecutor(const std::filesystem::path& cells_dir);

}  // namespace reclift::host::engine::mpi
