#pragma once
/// SNAP-style edge lists, plain or gzip-compressed (docs/design.md §2, §5).
///
/// Form: one arc per line, `source target [ignored columns...]`. Ids are non-negative
/// decimal integers up to 2^64-1, separated by spaces, tabs, commas or semicolons; CRLF is
/// fine. Lines whose first visible character is `#` (SNAP) or `%` (KONECT) are comments;
/// blank lines are skipped. gzip is recognised by its magic bytes, whatever the file name.
///
/// Ids are remapped to storage indices 0..n-1 in ascending order of input id, and the
/// input id becomes the agent's stable id (Graph::ids), so keyed randomness follows the
/// person, not the row. Self-loops and duplicate arcs are dropped and counted.
#include <cstdint>
#include <string>

#include "sim/core/graph.hpp"

namespace wom {

/// What reading an edge list saw, before building dropped anything.
struct EdgeListInfo {
  std::uint64_t lines = 0;          ///< lines read, comments and blanks included
  std::uint64_t comment_lines = 0;  ///< lines starting with `#` or `%`
  std::uint64_t blank_lines = 0;
  std::uint64_t arcs = 0;  ///< arc lines read (self-loops and duplicates included)
  bool gzip = false;       ///< the file was gzip-compressed
};

/// Loads an edge list. `directed` false stores each edge both ways; `reverse` flips every
/// arc (a line "u v" then means "u hears v"; arcs are "v hears u", docs/design.md §2). Throws wom::Error naming
/// `path:line` and the accepted form for an unreadable file, a non-numeric id, a line with one id, an id above 2^64-1,
/// more than 2^32-2 distinct ids, or a file without arcs.
Graph load_edge_list(const std::string& path, bool directed, bool reverse, BuildReport* report = nullptr,
                     EdgeListInfo* info = nullptr);

}  // namespace wom
