#pragma once
/// `mpirun -np K wom sweep SPEC --out DIR`: the sweep as an MPI job. Rank 0 checks the spec,
/// prepares the folder and deals out chunks of pending points to the other ranks as they ask
/// (manager/worker); each worker runs its chunks (in parallel inside) and appends to its own
/// records (`records/rank-R.log`); rank 0 merges results.csv when all are done. The table is
/// the one a single process writes: rows are pure functions of (point, replicate).
#include <string>

#include "sweep/sweep.hpp"

namespace wom::cli {

/// Whether this process was started by mpirun (OpenMPI's or PMIx's environment).
bool started_by_mpi();

/// Runs one rank's part; returns its exit status. Throws wom::Error when this wom was built
/// without MPI.
int run_sweep_mpi(const std::string& spec, sweep::SweepOptions options);

}  // namespace wom::cli
