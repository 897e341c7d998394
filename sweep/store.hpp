#pragma once
/// The sweep's result store: append-only files of checksummed records, one file per writer
/// (shard or MPI rank), so a finished row survives any interruption (Ctrl-C, SIGTERM,
/// kill -9, a lost node). A record is durable once `append` returns (written, then fsync).
/// A torn or corrupt record is detected by its length and CRC-32 and dropped on reading.
#include <cstdint>
#include <string>
#include <vector>

namespace wom::sweep {

/// What reading a store file found.
struct StoreContents {
  std::vector<std::string> records;  ///< the intact records' payloads, in file order
  std::uint64_t valid_bytes = 0;     ///< length of the prefix holding only intact records
  std::uint64_t dropped = 0;         ///< records dropped as torn or corrupt
  std::string problem;               ///< what was dropped and where (empty when nothing)
};

/// Reads every intact record of `path` (a missing file reads as empty). Never throws for
/// damaged contents; throws wom::Error when the file cannot be read at all.
StoreContents read_store(const std::string& path);

/// One writer of a store file. Opening takes an exclusive lock on the file (released when the
/// process ends, however it ends) and cuts a torn tail off, so appends continue after the last
/// intact record. A second writer of the same file is refused with an error naming the file.
class StoreWriter {
 public:
  explicit StoreWriter(const std::string& path);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;
  /// Appends one record (payload: any bytes without a newline) and makes it durable.
  void append(const std::string& payload);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace wom::sweep
