#include "sweep/store.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <limits>

#include "sim/core/error.hpp"

// Record format: one record per line, human-readable,
//
//   <payload length, decimal> <CRC-32 of the payload, 8 lowercase hex digits> <payload>\n
//
// e.g. `5 3610a686 hello\n`. A payload never holds a newline, so every record is exactly one
// line and a reader can resynchronise after damage at the next line end. A line is an intact
// record when its header is canonical (no sign, no leading zeros, exactly 8 hex digits), the
// payload holds exactly the declared number of bytes, its CRC-32 matches and the line ends in
// '\n'. Anything else is a damaged record: it is dropped, reading goes on at the next line.
//
// Mid-file damage (a damaged line followed by intact records) is left in place by the writer:
// the intact records after it are never at risk, and every reader reports the damage again
// (it means the storage corrupted durable data, which a user should hear about). The writer
// only cuts off what follows the last intact record — a torn tail from an interrupted write.

namespace wom::sweep {

namespace {

std::string errno_text(int err) { return err ? std::strerror(err) : "unknown error"; }

std::uint32_t crc_of(const char* data, std::size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  // crc32() takes a uInt length; feed large payloads in pieces.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  while (size > 0) {
    const std::size_t n = std::min(size, kChunk);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n));
    data += n;
    size -= n;
  }
  return static_cast<std::uint32_t>(crc);
}

std::string make_record(const std::string& payload) {
  std::string rec = fmt::format("{} {:08x} ", payload.size(), crc_of(payload.data(), payload.size()));
  rec.reserve(rec.size() + payload.size() + 1);
  rec += payload;
  rec += '\n';
  return rec;
}

/// Why the line [begin, end) is not an intact record, or nullptr when it is one. `end` is
/// the position of its '\n'. On success `payload_at` is set to where its payload starts.
const char* check_line(const std::string& data, std::size_t begin, std::size_t end, std::size_t& payload_at) {
  std::size_t p = begin;
  // Length: canonical decimal, no sign, no leading zeros.
  std::uint64_t len = 0;
  const std::size_t digits_at = p;
  while (p < end && data[p] >= '0' && data[p] <= '9') {
    const auto d = static_cast<std::uint64_t>(data[p] - '0');
    if (len > (std::numeric_limits<std::uint64_t>::max() - d) / 10) return "bad header (length overflows)";
    len = len * 10 + d;
    ++p;
  }
  const std::size_t ndigits = p - digits_at;
  if (ndigits == 0 || (ndigits > 1 && data[digits_at] == '0')) return "bad header (no record length)";
  if (p >= end || data[p] != ' ') return "bad header (no record length)";
  ++p;
  // CRC-32: exactly 8 lowercase hex digits.
  std::uint32_t crc = 0;
  for (int i = 0; i < 8; ++i, ++p) {
    if (p >= end) return "bad header (no checksum)";
    const char c = data[p];
    std::uint32_t v = 0;
    if (c >= '0' && c <= '9')
      v = static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v = static_cast<std::uint32_t>(c - 'a' + 10);
    else
      return "bad header (no checksum)";
    crc = (crc << 4) | v;
  }
  if (p >= end || data[p] != ' ') return "bad header (no checksum)";
  ++p;
  if (static_cast<std::uint64_t>(end - p) != len) return "length mismatch";
  if (crc_of(data.data() + p, end - p) != crc) return "checksum mismatch";
  payload_at = p;
  return nullptr;
}

/// A scan of a store file's bytes: what read_store reports, plus where the last intact
/// record ends (the writer cuts everything after it off).
struct Scan {
  StoreContents contents;
  std::uint64_t good_end = 0;  ///< end of the last intact record (0 when there is none)
};

struct Damage {
  std::size_t at;
  const char* why;
};

Scan scan(const std::string& path, const std::string& data) {
  Scan s;
  std::vector<Damage> damage;
  bool clean = true;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const std::size_t nl = data.find('\n', pos);
    if (nl == std::string::npos) {
      damage.push_back({pos, "incomplete record: no line end"});
      break;
    }
    std::size_t payload_at = 0;
    if (const char* why = check_line(data, pos, nl, payload_at)) {
      damage.push_back({pos, why});
      clean = false;
    } else {
      s.contents.records.emplace_back(data, payload_at, nl - payload_at);
      s.good_end = nl + 1;
      if (clean) s.contents.valid_bytes = nl + 1;
    }
    pos = nl + 1;
  }
  s.contents.dropped = damage.size();
  if (damage.empty()) return s;

  // Damage after the last intact record is a torn tail (an interrupted write), the rest is
  // corruption of records that had been written whole.
  const auto tail_from =
      std::find_if(damage.begin(), damage.end(), [&](const Damage& d) { return d.at >= s.good_end; });
  const auto n_mid = static_cast<std::size_t>(tail_from - damage.begin());
  const auto n_tail = damage.size() - n_mid;
  std::string msg = fmt::format("{}: {} damaged record{} dropped", path, damage.size(), damage.size() == 1 ? "" : "s");
  constexpr std::size_t kListed = 5;
  for (std::size_t i = 0; i < damage.size() && i < kListed; ++i)
    msg += fmt::format("{} at byte {} ({})", i == 0 ? "" : ",", damage[i].at, damage[i].why);
  if (damage.size() > kListed) msg += fmt::format(" and {} more", damage.size() - kListed);
  if (n_mid > 0) msg += fmt::format("; {} between intact records (the file was damaged after it was written)", n_mid);
  if (s.contents.records.empty())
    msg += "; the file holds no intact record (it is not a result store, or every record is damaged)";
  else if (n_tail > 0)
    msg += fmt::format(
        "; {} after the last intact record, which ends at byte {} (a torn write; a resumed writer "
        "cuts it off)",
        n_tail, s.good_end);
  s.contents.problem = std::move(msg);
  return s;
}

/// Reads all of `fd` from offset 0; throws naming `path` on failure.
std::string read_all(int fd, const std::string& path, std::uint64_t size_hint) {
  std::string data;
  data.resize(static_cast<std::size_t>(size_hint));
  std::size_t got = 0;
  for (;;) {
    if (got == data.size()) data.resize(got + 65536);
    const ssize_t n = ::pread(fd, data.data() + got, data.size() - got, static_cast<off_t>(got));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error(fmt::format("{}: cannot read the result store: {}", path, errno_text(errno)));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  data.resize(got);
  return data;
}

void fsync_parent_dir(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::filesystem::path dir = parent.empty() ? std::filesystem::path(".") : parent;
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    throw Error(fmt::format("{}: cannot open its directory to make the file durable: {}", path, errno_text(errno)));
  int rc;
  do rc = ::fsync(dfd);
  while (rc != 0 && errno == EINTR);
  const int err = errno;
  ::close(dfd);
  // Some file systems cannot fsync a directory (EINVAL); there is nothing more to do there.
  if (rc != 0 && err != EINVAL && err != EROFS)
    throw Error(fmt::format("{}: cannot make its directory entry durable: {}", path, errno_text(err)));
}

int sync_fd(int fd) {
  int rc;
  do rc = ::fdatasync(fd);
  while (rc != 0 && errno == EINTR);
  return rc;
}

}  // namespace

StoreContents read_store(const std::string& path) {
  // O_NONBLOCK: opening a FIFO must not hang; it has no effect on a regular file.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    if (errno == ENOENT) return {};
    throw Error(fmt::format("{}: cannot read the result store: {}", path, errno_text(errno)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw Error(fmt::format("{}: cannot read the result store: {}", path, errno_text(errno)));
  if (S_ISDIR(st.st_mode)) throw Error(fmt::format("{}: cannot read the result store: it is a directory", path));
  if (!S_ISREG(st.st_mode)) throw Error(fmt::format("{}: cannot read the result store: not a regular file", path));
  return scan(path, read_all(fd, path, static_cast<std::uint64_t>(st.st_size))).contents;
}

StoreWriter::StoreWriter(const std::string& path) : path_(path) {
  // O_RDWR rather than O_WRONLY: the torn-tail check reads through the very descriptor that
  // holds the lock, so it sees the file that is locked even if the path was replaced.
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    const int err = errno;
    throw Error(fmt::format("{}: cannot open the result store for writing: {}", path, errno_text(err)));
  }
  try {
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
      throw Error(fmt::format("{}: cannot open the result store for writing: {}", path, errno_text(errno)));
    if (!S_ISREG(st.st_mode))
      throw Error(fmt::format("{}: cannot open the result store for writing: not a regular file", path));
    int rc;
    do rc = ::flock(fd_, LOCK_EX | LOCK_NB);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      if (errno == EWOULDBLOCK)
        throw Error(fmt::format(
            "{}: another wom process is writing this shard (it holds the lock); wait for it to finish or stop it",
            path));
      throw Error(
          fmt::format("{}: cannot lock the result store for writing: {} (this file system may not support "
                      "file locks)",
                      path, errno_text(errno)));
    }
    // Under the lock nobody else writes: cut off whatever follows the last intact record.
    const Scan s = scan(path, read_all(fd_, path, static_cast<std::uint64_t>(st.st_size)));
    if (s.good_end < static_cast<std::uint64_t>(st.st_size)) {
      if (::ftruncate(fd_, static_cast<off_t>(s.good_end)) != 0 || sync_fd(fd_) != 0)
        throw Error(fmt::format("{}: cannot cut the torn record off the result store: {}", path, errno_text(errno)));
    }
    // Makes the file's directory entry durable (also when an earlier writer created it and
    // died before doing so).
    fsync_parent_dir(path);
  } catch (...) {
    ::close(fd_);
    fd_ = -1;
    throw;
  }
}

StoreWriter::~StoreWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void StoreWriter::append(const std::string& payload) {
  if (payload.find('\n') != std::string::npos)
    throw Error(fmt::format("{}: a result record cannot contain a newline", path_));
  if (fd_ < 0)
    throw Error(
        fmt::format("{}: the result store is closed after an earlier write failure that could not be undone", path_));
  struct stat st {};
  if (::fstat(fd_, &st) != 0)
    throw Error(fmt::format("{}: could not write a result record: {}", path_, errno_text(errno)));
  const off_t before = st.st_size;
  const std::string rec = make_record(payload);

  int err = 0;
  std::size_t done = 0;
  while (done < rec.size()) {
    const ssize_t n = ::write(fd_, rec.data() + done, rec.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      err = errno;
      break;
    }
    if (n == 0) {
      err = ENOSPC;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  if (err == 0 && sync_fd(fd_) != 0) err = errno;
  if (err == 0) return;

  // Undo the partial record so the file holds only intact records and later appends stay
  // readable. If even that fails, stop writing: a record appended after a torn one would be
  // lost with it.
  std::string hint;
  if (err == ENOSPC || err == EDQUOT || err == EFBIG)
    hint =
        " (the disk is full or a file-size limit was hit: free space, then resume the sweep with --resume; the rows "
        "finished so far are kept)";
  const std::string msg = fmt::format("{}: could not write a result record: {}{}", path_, errno_text(err), hint);
  if (::ftruncate(fd_, before) != 0 || sync_fd(fd_) != 0) {
    const int terr = errno;
    ::close(fd_);
    fd_ = -1;
    throw Error(
        fmt::format("{}; cutting the partial record off failed too ({}), so this writer stops", msg, errno_text(terr)));
  }
  throw Error(msg);
}

}  // namespace wom::sweep
