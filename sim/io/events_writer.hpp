#pragma once
/// The `--events FILE` writer: who told whom, one CSV line per EventRecord.
///
/// Columns: `replicate,step,from,to,channel,valence,generation` (channel by the name the model
/// set with set_channel_names; its code when it has none). The file is gzip-compressed when its
/// name ends in `.gz`. Lines go to `FILE.tmp-<pid>`, which close() renames onto FILE, so FILE is
/// either absent or complete: an object destroyed without close() (an error, an exception)
/// removes its temporary file and leaves FILE untouched.
///
/// Use (the runner logs the plan's first replicate; wom::run does this for RunOptions::events):
///   CsvEventLog log(path, plan.first_replicate);
///   run_scenario(scenario, plan, options, &log);
///   log.close();
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "sim/core/events.hpp"

struct gzFile_s;  // zlib's gzFile, kept out of this header

namespace wom {

class CsvEventLog final : public EventLog {
 public:
  /// Opens `path`.tmp-<pid> for writing and writes the header. Throws wom::Error naming the
  /// file when it cannot be created. `replicate` fills the replicate column.
  explicit CsvEventLog(std::string path, std::uint64_t replicate = 0);
  ~CsvEventLog() override;
  CsvEventLog(const CsvEventLog&) = delete;
  CsvEventLog& operator=(const CsvEventLog&) = delete;

  void append(std::span<const EventRecord> records) override;
  void set_channel_names(std::span<const char* const> names) override;

  /// Flushes, closes and renames the temporary file onto the final path. Throws wom::Error on a
  /// write, close or rename failure (the temporary file is then removed). Idempotent; appending
  /// after close() throws.
  void close();

  const std::string& path() const { return path_; }
  std::uint64_t records() const { return records_; }

 private:
  void flush();
  void write_raw(const char* data, std::size_t size);
  void discard() noexcept;

  std::string path_, tmp_;
  std::uint64_t replicate_ = 0;
  bool gzip_ = false;
  bool closed_ = false;
  gzFile_s* gz_ = nullptr;
  std::FILE* file_ = nullptr;
  std::string buf_;
  std::vector<std::string> names_;
  std::uint64_t records_ = 0;
};

}  // namespace wom
