#pragma once
#include <stdexcept>
#include <string>

namespace wom {
/// Any user-facing error: bad input, bad config, unreadable file. The message names the
/// file and line (or key) and the accepted form; the CLI prints it and exits non-zero.
struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};
}  // namespace wom
