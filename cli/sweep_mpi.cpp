#include "cli/sweep_mpi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "api/wom.hpp"
#include "sim/core/error.hpp"

#ifdef WOM_HAVE_MPI
#include <mpi.h>
#endif

namespace wom::cli {

bool started_by_mpi() {
  for (const char* v : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(v)) return true;
  return false;
}

#ifndef WOM_HAVE_MPI

int run_sweep_mpi(const std::string&, sweep::SweepOptions) {
  throw Error(
      "this wom was built without MPI (configure with OpenMPI's libopenmpi-dev installed, WOM_MPI=ON); run "
      "the ranks as shards instead: wom sweep SPEC --out DIR --shard I/N");
}

#else

namespace {

constexpr int kAsk = 1, kChunk = 2;

/// Rank 0's message to all: empty when the sweep may start, else why not.
std::string broadcast_text(std::string text) {
  int n = int(text.size());
  MPI_Bcast(&n, 1, MPI_INT, 0, MPI_COMM_WORLD);
  text.resize(std::size_t(n));
  if (n > 0) MPI_Bcast(text.data(), n, MPI_CHAR, 0, MPI_COMM_WORLD);
  return text;
}

/// Finalizes MPI however the rank leaves.
struct MpiSession {
  MpiSession() { MPI_Init(nullptr, nullptr); }
  ~MpiSession() { MPI_Finalize(); }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;
};

}  // namespace

int run_sweep_mpi(const std::string& spec, sweep::SweepOptions o) {
  MpiSession mpi;
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (o.shard.count != 1) {
    if (rank == 0) fmt::print(stderr, "wom: error: --shard and mpirun do not mix: the ranks share the work\n");
    return 1;
  }
  std::vector<std::int64_t> pending;
  std::string problem;
  if (rank == 0) {
    try {
      pending = prepare_sweep_points(spec, o);
    } catch (const std::exception& e) {
      problem = e.what();
    }
  }
  problem = broadcast_text(problem);
  if (!problem.empty()) {
    if (rank == 0) fmt::print(stderr, "wom: error: {}\n", problem);
    return 1;
  }
  o.join = true;
  if (size == 1) {  // one rank: an ordinary sweep
    const auto r = wom::run_sweep(spec, o);
    fmt::print("ran       {} runs on 1 rank\n", r.ran);
    return r.status.points_failed > 0 ? 2 : 0;
  }
  if (rank == 0) {
    // The manager: chunks of about 1/8 of each worker's share, so ranks that run faster take more.
    const int workers = size - 1;
    const std::size_t chunk = std::clamp<std::size_t>(pending.size() / (8 * std::size_t(workers)), 1, 64);
    std::size_t next = 0;
    for (int active = workers; active > 0;) {
      int ask = 0;
      MPI_Status st;
      MPI_Recv(&ask, 1, MPI_INT, MPI_ANY_SOURCE, kAsk, MPI_COMM_WORLD, &st);
      const std::size_t n = std::min(chunk, pending.size() - next);
      MPI_Send(pending.data() + next, int(n), MPI_INT64_T, st.MPI_SOURCE, kChunk, MPI_COMM_WORLD);
      next += n;
      if (n == 0) --active;  // that worker has finished all it was given
    }
    const auto status = wom::sweep_status(o.out);
    if (status.complete()) wom::collect_sweep(o.out);
    fmt::print("ranks     {} workers and a manager\n", workers);
    fmt::print("points    {} done · {} pending · {} failed (of {})\n", status.points_done, status.points_pending,
               status.points_failed, status.points);
    if (status.complete()) fmt::print("results   {}/results.csv\n", o.out);
    return status.points_failed > 0 ? 2 : 0;
  }
  o.writer = fmt::format("rank-{}", rank);
  o.collect_when_complete = false;
  o.progress = false;
  o.source = [] {
    int ask = 1;
    MPI_Send(&ask, 1, MPI_INT, 0, kAsk, MPI_COMM_WORLD);
    MPI_Status st;
    MPI_Probe(0, kChunk, MPI_COMM_WORLD, &st);
    int n = 0;
    MPI_Get_count(&st, MPI_INT64_T, &n);
    std::vector<std::int64_t> points(static_cast<std::size_t>(n));
    MPI_Recv(points.data(), n, MPI_INT64_T, 0, kChunk, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return points;
  };
  try {
    wom::run_sweep(spec, o);
  } catch (const std::exception& e) {
    fmt::print(stderr, "wom: error (rank {}): {}\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return 0;
}

#endif

}  // namespace wom::cli
