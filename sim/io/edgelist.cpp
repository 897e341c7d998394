#include "sim/io/edgelist.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <vector>

#include "sim/core/cancel.hpp"
#include "sim/core/error.hpp"
#include "sim/core/generators.hpp"
#include "sim/core/parallel.hpp"

namespace wom {

namespace {

constexpr const char* kForm =
    "accepted: one arc per line as two non-negative decimal integer ids (source target, at most "
    "18446744073709551615) separated by spaces, tabs, commas or semicolons; further columns are ignored; "
    "lines starting with '#' or '%' are comments";

/// Largest number of distinct ids: storage indices are 32-bit and n itself must fit.
constexpr std::uint64_t kMaxIds = std::uint64_t(std::numeric_limits<vid>::max()) - 1;

/// A byte source over a plain or gzip file, chosen by the gzip magic bytes 1f 8b.
class Source {
 public:
  explicit Source(const std::string& path) : path_(path) {
    file_ = std::fopen(path.c_str(), "rb");
    if (!file_) throw Error(fmt::format("{}: cannot open edge list: {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(::fileno(file_), &st) == 0 && S_ISDIR(st.st_mode)) {
      std::fclose(file_);
      file_ = nullptr;
      throw Error(fmt::format("{}: cannot open edge list: it is a directory, expected a file", path));
    }
    unsigned char magic[2] = {0, 0};
    const std::size_t got = std::fread(magic, 1, 2, file_);
    if (std::ferror(file_)) fail_errno(0);
    gzip_ = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    if (gzip_) {
      std::fclose(file_);
      file_ = nullptr;
      gz_ = gzopen(path.c_str(), "rb");
      if (!gz_) throw Error(fmt::format("{}: cannot open gzip edge list: {}", path, std::strerror(errno)));
      gzbuffer(gz_, 1u << 18);  // 256 KiB of compressed input per read
    } else {
      std::rewind(file_);
    }
  }
  Source(const Source&) = delete;
  Source& operator=(const Source&) = delete;
  ~Source() {
    if (file_) std::fclose(file_);
    if (gz_) gzclose(gz_);
  }

  bool gzip() const { return gzip_; }

  /// Reads up to `cap` bytes; 0 means end of file. `line` is where a failure is reported.
  std::size_t read(char* dst, std::size_t cap, std::uint64_t line) {
    if (!gzip_) {
      const std::size_t got = std::fread(dst, 1, cap, file_);
      if (got == 0 && std::ferror(file_)) fail_errno(line);
      return got;
    }
    const unsigned ask = unsigned(std::min<std::size_t>(cap, 1u << 30));
    const int got = gzread(gz_, dst, ask);
    int code = Z_OK;
    const char* msg = got <= 0 ? gzerror(gz_, &code) : "";
    // gzread reports a truncated stream (Z_BUF_ERROR) as a plain end of file: ask gzerror.
    if (got < 0 || code != Z_OK) {
      throw Error(fmt::format("{}:{}: cannot decompress the gzip edge list: {}", path_, line,
                              code == Z_ERRNO ? std::strerror(errno) : msg));
    }
    return std::size_t(got);
  }

 private:
  [[noreturn]] void fail_errno(std::uint64_t line) const {
    throw Error(fmt::format("{}:{}: cannot read edge list: {}", path_, line, std::strerror(errno)));
  }

  std::string path_;
  std::FILE* file_ = nullptr;
  gzFile gz_ = nullptr;
  bool gzip_ = false;
};

inline bool is_sep(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == ',' || c == ';' || c == '\v' || c == '\f';
}

/// Parses lines into (source, target) input ids. Lines may span read chunks: only the bytes
/// up to the last newline are parsed, the rest carries over to the next chunk.
class Scanner {
 public:
  Scanner(const std::string& path, std::vector<std::uint64_t>& ends, EdgeListInfo& info)
      : path_(path), ends_(ends), info_(info) {}

  /// Parses whole lines in [p, end); the last one may lack its newline (end of file).
  void parse(const char* p, const char* const end) {
    while (p < end) {
      const char* eol = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
      if (!eol) eol = end;
      ++info_.lines;
      const char* q = p;
      p = eol == end ? end : eol + 1;
      while (q < eol && is_sep(*q)) ++q;
      if (q == eol) {
        ++info_.blank_lines;
        continue;
      }
      if (*q == '#' || *q == '%') {
        ++info_.comment_lines;
        continue;
      }
      const std::uint64_t src = id(q, eol);
      while (q < eol && is_sep(*q)) ++q;
      if (q == eol)
        throw Error(fmt::format("{}:{}: the line holds one id, but an arc needs two; {}", path_, info_.lines, kForm));
      const std::uint64_t dst = id(q, eol);
      ends_.push_back(src);
      ends_.push_back(dst);
      max_id_ = std::max(max_id_, std::max(src, dst));
    }
  }

  std::uint64_t max_id() const { return max_id_; }

 private:
  /// Reads the id token at q (advancing q past it).
  std::uint64_t id(const char*& q, const char* eol) {
    const char* tok = q;
    std::uint64_t v = 0;
    bool overflow = false, numeric = true;
    for (; q < eol && !is_sep(*q); ++q) {
      const unsigned d = unsigned(static_cast<unsigned char>(*q)) - unsigned('0');
      if (d > 9) {
        numeric = false;
        continue;
      }
      if (v > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
      v = v * 10 + d;
    }
    // Shown as text: bytes that are not printable ASCII (binary data, another encoding) as \xNN.
    std::string token;
    for (const char* c = tok; c < q && c < tok + 40; ++c) {
      const auto b = static_cast<unsigned char>(*c);
      token += b >= 0x20 && b < 0x7f ? std::string(1, *c) : fmt::format("\\x{:02x}", b);
    }
    if (!numeric) throw Error(fmt::format("{}:{}: '{}' is not a vertex id; {}", path_, info_.lines, token, kForm));
    if (overflow)
      throw Error(fmt::format("{}:{}: id '{}' does not fit in 64 bits; {}", path_, info_.lines, token, kForm));
    return v;
  }

  const std::string& path_;
  std::vector<std::uint64_t>& ends_;
  EdgeListInfo& info_;
  std::uint64_t max_id_ = 0;
};

/// Adapter with the signature make_graph expects for generator `file`.
Graph load_for_make_graph(const std::string& path, bool directed, bool reverse, BuildReport* report) {
  return load_edge_list(path, directed, reverse, report, nullptr);
}

// Whenever this reader is linked into a program, make_graph can load `file` graphs with it.
[[maybe_unused]] const bool kLoaderInstalled = (set_edge_list_loader(&load_for_make_graph), true);

}  // namespace

Graph load_edge_list(const std::string& path, bool directed, bool reverse, BuildReport* report, EdgeListInfo* info) {
  EdgeListInfo seen;
  std::vector<std::uint64_t> ends;  // source, target, source, target, ... as input ids
  Source src(path);
  seen.gzip = src.gzip();
  Scanner scan(path, ends, seen);
  {
    // 4 MiB chunks; grows only for longer lines. Not zero-filled: only bytes read are used (and
    // a small file touches only the pages it fills).
    std::size_t cap = std::size_t(4) << 20;
    auto buf = std::make_unique_for_overwrite<char[]>(cap);
    std::size_t have = 0;
    bool eof = false, first = true;
    while (!eof || have > 0) {
      throw_if_cancelled();  // a chunk at a time: a signal stops reading a large file promptly
      if (!eof) {
        if (have == cap) {  // one line longer than the buffer
          auto bigger = std::make_unique_for_overwrite<char[]>(2 * cap);
          std::memcpy(bigger.get(), buf.get(), have);
          buf = std::move(bigger);
          cap *= 2;
        }
        const std::size_t got = src.read(buf.get() + have, cap - have, seen.lines + 1);
        eof = got == 0;
        have += got;
      }
      // A UTF-8 byte-order mark (a file saved by a Windows editor) is not part of the first id.
      if (first && (have >= 3 || eof)) {
        first = false;
        if (have >= 3 && std::memcmp(buf.get(), "\xef\xbb\xbf", 3) == 0) {
          std::memmove(buf.get(), buf.get() + 3, have - 3);
          have -= 3;
        }
      }
      if (first) continue;      // fewer than 3 bytes so far: read on before parsing
      std::size_t take = have;  // at end of file the last line needs no newline
      if (!eof) {
        while (take > 0 && buf[take - 1] != '\n') --take;  // keep the partial last line for the next read
        if (take == 0) continue;
      }
      scan.parse(buf.get(), buf.get() + take);
      std::memmove(buf.get(), buf.get() + take, have - take);
      have -= take;
    }
  }
  seen.arcs = ends.size() / 2;
  if (seen.arcs == 0)
    throw Error(fmt::format("{}:{}: the edge list holds no arcs ({} lines: {} comments, {} blank); {}", path,
                            seen.lines, seen.lines, seen.comment_lines, seen.blank_lines, kForm));

  // Remap input ids to 0..n-1 in ascending order. Dense ids (the usual SNAP case) go
  // through a lookup table; sparse ones through a sorted list of the distinct ids.
  const std::uint64_t max_id = scan.max_id();
  std::vector<std::uint64_t> ids;
  std::vector<vid> index;  // dense: input id -> storage index
  const bool dense = max_id < kMaxIds && max_id <= 8 * std::uint64_t(ends.size()) + (1u << 16);
  if (dense) {
    std::vector<std::uint8_t> present(max_id + 1, 0);
    for (std::uint64_t x : ends) present[x] = 1;
    index.assign(max_id + 1, 0);
    vid next = 0;
    for (std::uint64_t x = 0; x <= max_id; ++x)
      if (present[x]) {
        index[x] = next++;
        ids.push_back(x);
      }
  } else {
    ids = ends;
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > kMaxIds)
      throw Error(fmt::format("{}:{}: the edge list names {} distinct ids; accepted at most {}", path, seen.lines,
                              ids.size(), kMaxIds));
  }
  const vid n = vid(ids.size());
  ArcList arcs(seen.arcs);
  for_each_block(arcs.size(), [&](std::size_t, std::size_t lo, std::size_t hi) {
    auto map = [&](std::uint64_t x) {
      return dense ? index[x] : vid(std::lower_bound(ids.begin(), ids.end(), x) - ids.begin());
    };
    for (std::size_t e = lo; e < hi; ++e) {
      const vid a = map(ends[2 * e]), b = map(ends[2 * e + 1]);
      arcs[e] = reverse ? std::pair{b, a} : std::pair{a, b};
    }
  });
  std::vector<std::uint64_t>().swap(ends);
  std::vector<vid>().swap(index);
  Graph g = build_graph(n, std::move(arcs), directed, std::move(ids), report);
  if (info) *info = seen;
  return g;
}

}  // namespace wom
