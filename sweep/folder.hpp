#pragma once
/// The sweep folder as its writers leave it (internal to wom::sweep): the manifest, the
/// writers' records, and what they say about each point. Shared by running a sweep
/// (sweep.cpp), merging it (folder.cpp: sweep_status, collect) and analysing it (analyze.cpp).
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sweep/design.hpp"
#include "sweep/spec.hpp"
#include "sweep/sweep.hpp"

namespace wom::sweep::detail {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

inline constexpr const char* kKind = "wom sweep";

std::string read_text(const fs::path& p);
void fsync_path(const fs::path& p, bool directory);
/// Writes `text` as `path`, whole or not at all (sim/io's add_file: a temporary, fsync, rename).
void write_atomic(const fs::path& path, const std::string& text);
std::string hostname();
/// A CSV cell, quoted when it must be.
std::string csv_cell(const std::string& s);
/// A finite number in the shortest round-trip form; empty for NaN.
std::string number(double v);

/// What the manifest says about the sweep: enough for status, collect and analyze.
struct Manifest {  // NOLINT(bugprone-exception-escape): clang-tidy 14 flags the implicit members of a json holder
  json doc;
  std::string hash, design;
  std::vector<std::string> keys, metrics;
  std::vector<std::vector<std::string>> values;  ///< per point
  Matrix unit;                                   ///< per point (sampled designs)
  std::int64_t points = 0, rep_min = 1, rep_max = 1, rep_batch = 1, sobol_n = 0, levels = 0;
  std::optional<Precision> target;
  std::vector<std::uint64_t> seeds;  ///< per point
};
Manifest read_manifest(const fs::path& dir);

/// One recorded row.
struct Row {
  std::int64_t point = 0, replicate = 0;
  std::uint64_t seed = 0;
  bool ok = true;
  std::vector<double> metrics;
  std::string error;
};
std::string row_payload(const Row& r, const std::vector<std::string>& names);

/// Every writer's rows: the first record of each (point, replicate) wins (rows are pure
/// functions of their inputs, so a repeat is identical), except that an ok row replaces a
/// failed one.
struct Recorded {
  std::map<std::pair<std::int64_t, std::int64_t>, Row> rows;
  std::vector<std::string> writers, problems;
  std::int64_t dropped = 0;
};
Recorded read_records(const fs::path& dir, const Manifest& m);

/// How many replicates point p still needs, given its recorded rows 0..have-1: 0 when done.
/// `failed`: a row of the point failed (then nothing more is run).
std::int64_t replicates_wanted(const Manifest& m, const std::vector<const Row*>& rows, bool* failed);
/// The rows of point p in replicate order, stopping at the first missing replicate.
std::vector<const Row*> prefix_rows(const Recorded& rec, std::int64_t p);
SweepStatus status_of(const Manifest& m, const Recorded& rec);

}  // namespace wom::sweep::detail
