#include "sim/io/events_writer.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <iterator>

#include "sim/core/error.hpp"

namespace wom {

namespace {

constexpr std::size_t kFlushAt = std::size_t(1) << 20;  // buffered bytes before a write
constexpr const char* kHeader = "replicate,step,from,to,channel,valence,generation\n";

/// "writing PATH: why", naming the log by the name the user gave (not the temporary file), with
/// what a full disk or a file-size limit means.
Error write_error(const std::string& path, int err, const std::string& fallback) {
  const bool full = err == ENOSPC || err == EDQUOT || err == EFBIG;
  return Error(fmt::format("writing the event log {}: {}{}; the event log was not written", path,
                           err ? std::strerror(err) : fallback,
                           full ? " (the disk is full or a file-size limit was hit)" : ""));
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

CsvEventLog::CsvEventLog(std::string path, std::uint64_t replicate)
    : path_(std::move(path)),
      tmp_(path_ + ".tmp-" + std::to_string(::getpid())),
      replicate_(replicate),
      gzip_(ends_with(path_, ".gz")) {
  if (path_.empty()) throw Error("--events: the event log needs a file name");
  errno = 0;
  if (gzip_) {
    gz_ = gzopen(tmp_.c_str(), "wb");
    if (gz_) gzbuffer(gz_, 1 << 18);
  } else {
    file_ = std::fopen(tmp_.c_str(), "wb");
  }
  if (!gz_ && !file_)
    throw Error(fmt::format("{}: cannot write the event log: {}", tmp_, errno ? std::strerror(errno) : "open failed"));
  buf_.reserve(kFlushAt + 4096);
  buf_ += kHeader;
}

CsvEventLog::~CsvEventLog() {
  if (!closed_) discard();
}

void CsvEventLog::set_channel_names(std::span<const char* const> names) { names_.assign(names.begin(), names.end()); }

void CsvEventLog::append(std::span<const EventRecord> records) {
  if (closed_) throw Error(fmt::format("{}: the event log is already closed", path_));
  auto out = std::back_inserter(buf_);
  for (const EventRecord& r : records) {
    if (r.channel < names_.size())
      fmt::format_to(out, "{},{},{},{},{},{},{}\n", replicate_, r.step, r.from, r.to, names_[r.channel], int(r.valence),
                     unsigned(r.generation));
    else
      fmt::format_to(out, "{},{},{},{},{},{},{}\n", replicate_, r.step, r.from, r.to, unsigned(r.channel),
                     int(r.valence), unsigned(r.generation));
    if (buf_.size() >= kFlushAt) flush();
  }
  records_ += records.size();
}

void CsvEventLog::write_raw(const char* data, std::size_t size) {
  if (size == 0) return;
  errno = 0;
  if (gz_) {
    while (size > 0) {  // gzwrite takes an unsigned int length
      const unsigned chunk = unsigned(std::min<std::size_t>(size, std::size_t(1) << 30));
      if (gzwrite(gz_, data, chunk) != int(chunk)) {
        int zerr = 0;
        const int err = errno;
        const char* msg = gzerror(gz_, &zerr);
        throw write_error(path_, zerr == Z_ERRNO ? err : 0, msg);
      }
      data += chunk;
      size -= chunk;
    }
  } else if (std::fwrite(data, 1, size, file_) != size) {
    throw write_error(path_, errno, "short write");
  }
}

void CsvEventLog::flush() {
  try {
    write_raw(buf_.data(), buf_.size());
  } catch (...) {
    discard();
    closed_ = true;
    throw;
  }
  buf_.clear();
}

void CsvEventLog::close() {
  if (closed_) return;
  flush();
  closed_ = true;
  errno = 0;
  int rc = 0;
  if (gz_) {
    rc = gzclose(gz_) == Z_OK ? 0 : -1;
    gz_ = nullptr;
  } else {
    rc = std::fclose(file_);
    file_ = nullptr;
  }
  if (rc != 0) {
    const int err = errno;
    std::remove(tmp_.c_str());
    throw write_error(path_, err, "close failed");
  }
  if (std::rename(tmp_.c_str(), path_.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp_.c_str());
    throw Error(fmt::format("{}: cannot move the event log into place: {}", path_, why));
  }
}

void CsvEventLog::discard() noexcept {
  if (gz_) gzclose(gz_);
  if (file_) std::fclose(file_);
  gz_ = nullptr;
  file_ = nullptr;
  std::remove(tmp_.c_str());
}

}  // namespace wom
