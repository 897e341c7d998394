// libFuzzer target: the edge-list reader (sim/io/edgelist.*), plain and gzip, and the CSR build
// behind it.
//
// Input: the first byte chooses how the rest is stored and read; the rest is the edge list.
//   byte % 3 == 0: a plain file;
//   byte % 3 == 1: the rest gzip-compressed here with zlib (a valid .gz of fuzzed text);
//   byte % 3 == 2: the gzip magic bytes followed by the rest, raw (corrupt or truncated gzip).
//   bit 2 (4): directed; bit 3 (8): reverse.
//
// Accepted outcome: wom::Error naming the file and line. A graph that loads must be
// consistent: its ids ascending, every arc's ends in range, no self-loops or duplicates kept.
#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz/fuzz_common.hpp"
#include "sim/core/error.hpp"
#include "sim/core/parallel.hpp"
#include "sim/io/edgelist.hpp"

namespace {

/// `text` as a gzip member (zlib's deflate with a gzip wrapper).
std::string gzip(std::string_view text) {
  z_stream z{};
  if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
  std::string out(deflateBound(&z, uLong(text.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = uInt(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

[[noreturn]] void inconsistent(const char* what) {
  std::fprintf(stderr, "edge list loaded into an inconsistent graph: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  static wom::ThreadLimit one_thread(1);
  (void)wom::fuzz::scratch();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string path;
  switch (mode % 3) {
    case 0:
      path = wom::fuzz::put("edges.txt", text);
      break;
    case 1:
      path = wom::fuzz::put("edges.txt.gz", gzip(text));
      break;
    default:
      path = wom::fuzz::put("raw.gz", std::string("\x1f\x8b", 2) + std::string(text));
      break;
  }
  const bool directed = mode & 4, reverse = mode & 8;
  try {
    wom::BuildReport report;
    wom::EdgeListInfo info;
    const wom::Graph g = wom::load_edge_list(path, directed, reverse, &report, &info);
    if (g.n == 0 || info.arcs == 0 || report.input_arcs != info.arcs) inconsistent("arcs read and built differ");
    for (wom::vid v = 1; v < g.n; ++v)
      if (!(g.id(v - 1) < g.id(v))) inconsistent("stable ids not ascending");
    const std::uint64_t kept = info.arcs - report.self_loops - report.duplicates;
    if (g.num_arcs() != (directed ? 1 : 2) * kept) inconsistent("stored arcs differ from arcs kept");
    auto check_rows = [&](auto row) {
      for (wom::vid v = 0; v < g.n; ++v) {
        const auto nb = row(v);
        for (std::size_t j = 0; j < nb.size(); ++j) {
          if (nb[j] >= g.n) inconsistent("arc end out of range");
          if (nb[j] == v) inconsistent("self-loop kept");
          if (j > 0 && !(nb[j - 1] < nb[j])) inconsistent("a row not sorted and unique");
        }
      }
    };
    check_rows([&](wom::vid v) { return g.out(v); });
    check_rows([&](wom::vid v) { return g.in(v); });
  } catch (const wom::Error&) {
  }
  return 0;
}
