#pragma once
/// A private folder under the system's temporary directory, removed with the object (the
/// sweep case's spec and output, callgrind's files).
#include <fmt/format.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "sim/core/error.hpp"

namespace wom::bench {

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "wom-bench") {
    std::string t = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
    if (!mkdtemp(t.data())) throw Error(fmt::format("cannot create a temporary folder {}", t));
    path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace wom::bench
