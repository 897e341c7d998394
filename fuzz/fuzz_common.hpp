#pragma once
/// Shared by the libFuzzer targets (fuzz/README.md): a private scratch folder, files written
/// into it only when their bytes change, and the input split into parts.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace wom::fuzz {

/// One folder for the whole fuzzing process (mkdtemp once, reused by every input), removed at
/// exit: in /dev/shm when it is writable, else the system's temp folder.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    // tmpfs where there is one: the store's fsyncs then cost nothing.
    std::error_code ec;
    const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                                           ? std::filesystem::path("/dev/shm")
                                           : std::filesystem::temp_directory_path();
    std::string tmpl = (base / "wom-fuzz-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) {
      std::perror("wom fuzz: mkdtemp");
      std::abort();
    }
    static const std::string kept = tmpl;
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(kept, ec);
    });
    return std::filesystem::path(tmpl);
  }();
  return dir;
}

/// Writes `bytes` as scratch()/name unless the file already holds them (as far as this process
/// wrote it); returns its path.
inline std::string put(const std::string& name, std::string_view bytes) {
  static std::map<std::string, std::string> written;
  const std::string path = (scratch() / name).string();
  auto it = written.find(name);
  if (it != written.end() && it->second == bytes) return path;
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out) {
      std::perror("wom fuzz: write");
      std::abort();
    }
  }
  written[name] = std::string(bytes);
  return path;
}

/// The input split at lines that read exactly `@@` (the separator line is dropped), into at
/// most `max_parts` parts (the last one keeps any further separators).
inline std::vector<std::string_view> split_parts(const std::uint8_t* data, std::size_t size, std::size_t max_parts) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  std::vector<std::string_view> parts;
  std::size_t start = 0, line = 0;
  while (line <= in.size() && parts.size() + 1 < max_parts) {
    std::size_t nl = in.find('\n', line);
    if (nl == std::string_view::npos) nl = in.size();
    if (in.substr(line, nl - line) == "@@") {
      parts.push_back(in.substr(start, line - start));
      start = std::min(nl + 1, in.size());
    }
    if (nl == in.size()) break;
    line = nl + 1;
  }
  parts.push_back(in.substr(start));
  return parts;
}

/// The lines of `text` (without their line ends; a trailing CR is kept: --set gets it as typed).
inline std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

}  // namespace wom::fuzz
