// libFuzzer target: the sweep result store's recovery (sweep/store.*) and the sweep folder's
// reading of it (sweep/folder.*: records, manifest, status).
//
// Input: parts separated by lines reading `@@` (fuzz/fuzz_common.hpp):
//   records/a.log @@ records/b.log @@ manifest.json
// Each log is a store file of arbitrary bytes. For each: read_store, then a StoreWriter opens
// it (cutting a torn tail off) and appends one row, and the file is read again. Then the
// folder is read as `wom sweep status` does: with the fuzzed manifest.json when the third
// part is not empty (then also as `wom sweep collect` and `analyze` do), else with a fixed
// manifest (adaptive replicates, two metrics).
//
// Accepted outcome: wom::Error. Invariants checked: the intact records are exactly the
// canonical encodings at the front of the file; opening a writer keeps every intact record,
// only cuts bytes after the last one, and leaves no damage at the end; an appended record
// reads back as the last one.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz/fuzz_common.hpp"
#include "sim/core/error.hpp"
#include "sweep/folder.hpp"
#include "sweep/store.hpp"
#include "sweep/sweep.hpp"

namespace {

namespace fs = std::filesystem;
using wom::sweep::StoreContents;

[[noreturn]] void broken(const std::string& what) {
  std::fprintf(stderr, "store invariant broken: %s\n", what.c_str());
  std::abort();
}

/// The record store.cpp writes for `payload`: "<length> <crc32, 8 hex> <payload>\n".
std::string encode(const std::string& payload) {
  const auto crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(payload.data()), uInt(payload.size()));
  char head[40];
  std::snprintf(head, sizeof head, "%zu %08lx ", payload.size(), static_cast<unsigned long>(crc));
  return head + payload + "\n";
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out) broken("cannot write " + path);
}

/// One store file: read, recovered by a writer, appended to, read again.
void exercise_store(const std::string& path, std::string_view bytes) {
  spit(path, bytes);
  const StoreContents before = wom::sweep::read_store(path);
  // The clean prefix is the canonical encoding of the records in it.
  std::string prefix;
  std::size_t in_prefix = 0;
  for (const auto& r : before.records) {
    if (r.find('\n') != std::string::npos) broken("a record holds a newline");
    if (prefix.size() == before.valid_bytes) break;
    prefix += encode(r);
    ++in_prefix;
  }
  if (prefix.size() != before.valid_bytes || bytes.substr(0, prefix.size()) != prefix)
    broken("valid_bytes is not the encoding of the first records");
  if ((before.dropped == 0) != before.problem.empty()) broken("dropped records without a problem, or the reverse");
  if (before.dropped == 0 && (in_prefix != before.records.size() || before.valid_bytes != bytes.size()))
    broken("an undamaged file is not all records");

  {
    wom::sweep::StoreWriter w(path);
    const std::string cut = slurp(path);
    if (cut.size() > bytes.size() || bytes.substr(0, cut.size()) != cut) broken("the writer changed more than a tail");
    const StoreContents after = wom::sweep::read_store(path);
    if (after.records != before.records) broken("the writer lost or changed an intact record");
    if (!cut.empty() && cut.back() != '\n') broken("the writer left a torn tail");
    const std::string row = R"({"point":1,"replicate":0,"seed":7,"metrics":{"a":1.5,"b":null}})";
    w.append(row);
    const StoreContents appended = wom::sweep::read_store(path);
    if (appended.records.size() != before.records.size() + 1 || appended.records.back() != row)
      broken("an appended record does not read back last");
    if (slurp(path) != cut + encode(row)) broken("the append is not the record after the kept bytes");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  fs::create_directories(wom::fuzz::scratch() / "sweep" / "records");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parts = wom::fuzz::split_parts(data, size, 3);
  const fs::path dir = wom::fuzz::scratch() / "sweep";
  const std::string a = (dir / "records" / "a.log").string(), b = (dir / "records" / "b.log").string();
  try {
    exercise_store(a, parts[0]);
    std::error_code ec;
    if (parts.size() > 1)
      exercise_store(b, parts[1]);
    else
      fs::remove(b, ec);

    wom::sweep::detail::Manifest m;
    if (parts.size() > 2 && !parts[2].empty()) {
      spit((dir / "manifest.json").string(), parts[2]);
      m = wom::sweep::detail::read_manifest(dir);
    } else {
      m.doc = {{"kind", "wom sweep"}, {"replicates", {{"min", 2}, {"max", 5}, {"batch", 2}}}};
      m.design = "grid";
      m.keys = {"params.beta"};
      m.metrics = {"a", "b"};
      m.values = {{"0.1"}, {"0.2"}, {"0.3"}};
      m.points = 3;
      m.rep_min = 2;
      m.rep_max = 5;
      m.target = wom::sweep::Precision{"a", 0.5, true};
      m.seeds = {7, 7, 7};
    }
    const wom::sweep::detail::Recorded rec = wom::sweep::detail::read_records(dir, m);
    const wom::sweep::SweepStatus st = wom::sweep::detail::status_of(m, rec);
    if (st.points_done + st.points_failed + st.points_pending != m.points) broken("status does not add up to points");
    if (parts.size() > 2 && !parts[2].empty()) {
      // What `wom sweep collect` and `wom sweep analyze` read: the same manifest and records.
      try {
        (void)wom::sweep::collect(dir.string());
      } catch (const wom::Error&) {
      }
      (void)wom::sweep::analyze(dir.string());
    }
  } catch (const wom::Error&) {
  }
  return 0;
}
