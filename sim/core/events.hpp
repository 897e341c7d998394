#pragma once
/// The optional event log (`wom run --events FILE`): who told whom, for attribution.
///
/// A model that supports it appends records through RunContext::events (null when the log
/// is off: then the model must not pay for it). Records are appended in a deterministic
/// order (the model merges per-block buffers in block order), so the log is identical at
/// any thread count.
#include <cstdint>
#include <span>

namespace wom {

struct EventRecord {
  std::int64_t step = 0;        ///< the step being computed (state t → t+1)
  std::uint64_t from = 0;       ///< stable id of the teller / tweeter / retweeted person
  std::uint64_t to = 0;         ///< stable id of the listener / follower / retweeter
  std::uint8_t channel = 0;     ///< model-defined (named by EventLog::set_channel_names)
  std::int8_t valence = 0;      ///< −1 negative, +1 positive, 0 none
  std::uint8_t generation = 0;  ///< 0 first-hand; retellings and retweets count up
};

class EventLog {
 public:
  virtual ~EventLog() = default;
  /// Appends a batch of records (called from the model's serial merge, never concurrently).
  virtual void append(std::span<const EventRecord> records) = 0;
  /// The names of the model's channel codes, set once by the model at init.
  virtual void set_channel_names(std::span<const char* const> names) = 0;
};

}  // namespace wom
