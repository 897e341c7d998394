#include "sim/io/progress.hpp"

#include <unistd.h>

namespace wom {
bool progress_allowed() { return ::isatty(STDERR_FILENO) != 0; }
}  // namespace wom
