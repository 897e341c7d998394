#pragma once
/// Running the built `wom` binary from tests.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/tempdir.hpp"

namespace wom::test {

/// The `wom` binary of this build tree.
inline const std::string kWom = WOM_BINARY_DIR "/wom";

/// A whole file as a string ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Result {
  int rc = -1;
  std::string out, err;
};

/// Runs `wom ARGS` inside `dir`, capturing stdout and stderr.
inline Result run_wom(const TempDir& dir, const std::string& args) {
  const auto out = dir.path / ".stdout", err = dir.path / ".stderr";
  const std::string cmd =
      "cd '" + dir.path.string() + "' && '" + kWom + "' " + args + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  Result r;
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace wom::test
