// The sweep's result store: checksummed append-only records that survive torn writes,
// corruption, a full disk and a second writer.
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "sim/core/error.hpp"
#include "sweep/store.hpp"
#include "sweep/sweep.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using wom::sweep::read_store;
using wom::sweep::StoreContents;
using wom::sweep::StoreWriter;

namespace {

/// A fresh directory under the system's temp directory, removed with everything in it.
struct TempDir {
  fs::path dir;
  TempDir() {
    static int counter = 0;
    dir =
        fs::temp_directory_path() / ("wom_test_store_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const std::string& name) const { return (dir / name).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void spit(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_all(const std::string& path, const std::vector<std::string>& payloads) {
  StoreWriter w(path);
  for (const auto& p : payloads) w.append(p);
}

/// Every byte value but '\n', several times over, in a scrambled order.
std::string binary_payload() {
  std::string s;
  for (int round = 0; round < 3; ++round)
    for (int b = 0; b < 256; ++b) {
      const int c = (b * 37 + round * 11) & 0xff;  // 37 is odd: each round holds every byte once
      if (c != '\n') s += static_cast<char>(c);
    }
  return s;
}

std::vector<std::string> sample_payloads() {
  std::vector<std::string> v = {"",
                                " ",
                                "  leading and trailing spaces  ",
                                "a b  c   d",
                                "5 3610a686 hello",  // looks like a record header itself
                                "h\xc3\xa9llo w\xc3\xb6rld \xe2\x9c\x93 \xf0\x9f\x8c\x8d",
                                std::string("nul\0inside", 10),
                                "tab\there\rcarriage",
                                binary_payload(),
                                std::string(100000, 'x'),
                                "{\"row\": 17, \"mean\": 0.25}"};
  for (int i = 0; i < 200; ++i) v.push_back("row " + std::to_string(i) + " value " + std::to_string(i * i));
  return v;
}

/// Byte offsets at which each record of a clean store file starts (plus the file's size).
std::vector<std::size_t> record_starts(const std::string& bytes) {
  std::vector<std::size_t> at = {0};
  for (std::size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i] == '\n') at.push_back(i + 1);
  return at;
}

/// Runs `body` in a forked child and returns its exit status (-1 when it did not exit).
template <class F>
int in_child(F body) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = body();
    } catch (...) {
      code = 98;
    }
    ::_exit(code);
  }
  REQUIRE(pid > 0);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("store: records round-trip byte for byte", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("shard-0.wom");

  SECTION("a missing file reads as empty") {
    const StoreContents c = read_store(path);
    CHECK(c.records.empty());
    CHECK(c.valid_bytes == 0);
    CHECK(c.dropped == 0);
    CHECK(c.problem.empty());
  }

  SECTION("many records, in order, across writers") {
    const auto payloads = sample_payloads();
    const std::size_t half = payloads.size() / 2;
    write_all(path, {payloads.begin(), payloads.begin() + static_cast<std::ptrdiff_t>(half)});
    write_all(path, {payloads.begin() + static_cast<std::ptrdiff_t>(half), payloads.end()});
    const StoreContents c = read_store(path);
    CHECK(c.records == payloads);
    CHECK(c.valid_bytes == fs::file_size(path));
    CHECK(c.dropped == 0);
    CHECK(c.problem.empty());
  }

  SECTION("the format is one human-readable line per record") {
    write_all(path, {"hello", "", "a b"});
    CHECK(slurp(path) == "5 3610a686 hello\n0 00000000 \n3 806c5cd3 a b\n");
  }

  SECTION("opening a writer on a clean file leaves it as it is") {
    write_all(path, {"one", "two"});
    const std::string before = slurp(path);
    { StoreWriter w(path); }
    CHECK(slurp(path) == before);
  }
}

TEST_CASE("store: non-canonical or malformed lines are not records", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("s");
  spit(path,
       "5 3610a686 hello\n"
       "5 3610A686 hello\n"   // upper-case checksum
       "05 3610a686 hello\n"  // leading zero
       "+5 3610a686 hello\n"  // sign
       "5 3610a68 hello\n"    // 7 hex digits
       "5  3610a686 hello\n"  // two spaces
       "6 3610a686 hello\n"   // wrong length
       "99999999999999999999999 3610a686 hello\n"
       "\n"
       "5 3610a686 hello\n");
  const StoreContents c = read_store(path);
  CHECK(c.records == std::vector<std::string>{"hello", "hello"});
  CHECK(c.dropped == 8);
  CHECK(c.valid_bytes == 17);
  CHECK_THAT(c.problem, Contains(path) && Contains("8 damaged records") && Contains("at byte 17"));
}

TEST_CASE("store: a torn last record is dropped at every cut, and the writer resumes cleanly", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("torn");
  const std::vector<std::string> earlier = {"first row", "", "second \xc3\xa9 row"};
  const std::string last = "the last row, 1234567890 with spaces";
  write_all(path, earlier);
  const std::uint64_t start = fs::file_size(path);
  write_all(path, {last});
  const std::string full = slurp(path);
  REQUIRE(full.size() > start + last.size());

  for (std::size_t cut = start; cut < full.size(); ++cut) {
    CAPTURE(cut);
    spit(path, full.substr(0, cut));
    const StoreContents c = read_store(path);
    CHECK(c.records == earlier);
    CHECK(c.valid_bytes == start);
    CHECK(c.dropped == (cut > start ? 1u : 0u));
    if (cut > start)
      CHECK_THAT(c.problem, Contains(path) && Contains("at byte " + std::to_string(start)) && Contains("torn"));
    else
      CHECK(c.problem.empty());

    {
      StoreWriter w(path);
      CHECK(fs::file_size(path) == start);  // the torn tail is cut off on opening
      w.append("new row");
    }
    const StoreContents again = read_store(path);
    auto expected = earlier;
    expected.push_back("new row");
    CHECK(again.records == expected);
    CHECK(again.dropped == 0);
    CHECK(again.problem.empty());
    CHECK(again.valid_bytes == fs::file_size(path));
  }
}

TEST_CASE("store: a damaged middle record is dropped and the records after it are kept", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("mid");
  const std::vector<std::string> rows = {"row zero", "row one", "row two: the one damaged", "row three", "row four"};
  write_all(path, rows);
  const std::string clean = slurp(path);
  const auto at = record_starts(clean);
  const std::size_t begin = at[2], end = at[3];  // record 2, its '\n' at end - 1

  SECTION("each byte of the record in turn") {
    for (std::size_t i = begin; i < end; ++i) {
      CAPTURE(i);
      std::string bytes = clean;
      const bool is_line_end = i == end - 1;
      if (is_line_end) {
        bytes[i] = ' ';  // joins record 2 and record 3 into one damaged line
      } else {
        bytes[i] = static_cast<char>(bytes[i] ^ 0x01);
        if (bytes[i] == '\n') bytes[i] = static_cast<char>(clean[i] ^ 0x02);
      }
      spit(path, bytes);
      const StoreContents c = read_store(path);
      std::vector<std::string> expected = {rows[0], rows[1], rows[3], rows[4]};
      if (is_line_end) expected = {rows[0], rows[1], rows[4]};
      CHECK(c.records == expected);
      CHECK(c.dropped == 1);
      CHECK(c.valid_bytes == begin);
      CHECK_THAT(c.problem, Contains(path) && Contains("1 damaged record dropped at byte " + std::to_string(begin)) &&
                                Contains("between intact records"));

      // The writer keeps mid-file damage (and the intact records after it) and appends after the end.
      {
        StoreWriter w(path);
        w.append("row five");
      }
      CHECK(slurp(path).substr(0, bytes.size()) == bytes);
      const StoreContents again = read_store(path);
      expected.push_back("row five");
      CHECK(again.records == expected);
      CHECK(again.dropped == 1);
      CHECK(again.valid_bytes == begin);
    }
  }

  SECTION("a newline written into a record splits it into two damaged lines") {
    std::string bytes = clean;
    bytes[begin + 15] = '\n';
    spit(path, bytes);
    const StoreContents c = read_store(path);
    CHECK(c.records == std::vector<std::string>{rows[0], rows[1], rows[3], rows[4]});
    CHECK(c.dropped == 2);
  }

  SECTION("damage in the last complete record is a tail: the writer cuts it off") {
    std::string bytes = clean;
    bytes[at[4] + 5] ^= 0x01;
    spit(path, bytes);
    const StoreContents c = read_store(path);
    CHECK(c.records == std::vector<std::string>(rows.begin(), rows.begin() + 4));
    CHECK(c.dropped == 1);
    CHECK(c.valid_bytes == at[4]);
    {
      StoreWriter w(path);
      w.append("row five");
    }
    const StoreContents again = read_store(path);
    CHECK(again.records == std::vector<std::string>{rows[0], rows[1], rows[2], rows[3], "row five"});
    CHECK(again.dropped == 0);
  }
}

TEST_CASE("store: garbage reads without crashing and intact records amid it are found", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("garbage");
  std::mt19937 rng(20240611);

  SECTION("random bytes") {
    for (int trial = 0; trial < 200; ++trial) {
      CAPTURE(trial);
      const bool resume = trial % 10 == 0;  // a writer's fsyncs are slow: resume on some only
      std::string bytes(std::uniform_int_distribution<int>(0, 5000)(rng), '\0');
      const bool few_newlines = trial % 2 == 0;
      for (auto& b : bytes) {
        b = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
        if (few_newlines && b == '\n') b = 'n';
      }
      spit(path, bytes);
      StoreContents c;
      REQUIRE_NOTHROW(c = read_store(path));
      CHECK(c.records.empty());
      CHECK(c.valid_bytes == 0);
      CHECK((c.dropped > 0) == !bytes.empty());
      CHECK(c.problem.empty() == bytes.empty());
      if (!resume) continue;
      {
        StoreWriter w(path);
        w.append("after garbage");
      }
      const StoreContents again = read_store(path);
      CHECK(again.records == std::vector<std::string>{"after garbage"});
      CHECK(again.dropped == 0);
    }
  }

  SECTION("intact records interleaved with garbage lines") {
    // A pool of intact record lines, written once.
    const std::string ref_path = tmp.file("ref");
    std::vector<std::string> pool_payloads;
    for (int i = 0; i < 100; ++i) pool_payloads.push_back("payload " + std::to_string(i) + std::string(i % 7, ' '));
    write_all(ref_path, pool_payloads);
    const std::string ref = slurp(ref_path);
    const auto at = record_starts(ref);
    std::size_t next = 0;
    for (int trial = 0; trial < 50; ++trial) {
      CAPTURE(trial);
      std::string bytes;
      std::vector<std::string> expected;
      std::uint64_t dropped = 0;
      const int n = std::uniform_int_distribution<int>(1, 30)(rng);
      for (int i = 0; i < n; ++i) {
        if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
          std::string junk = "x";  // never a record: a record starts with a digit
          const int len = std::uniform_int_distribution<int>(0, 60)(rng);
          for (int k = 0; k < len; ++k) {
            char b = static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
            junk += b == '\n' ? '?' : b;
          }
          bytes += junk + '\n';
          ++dropped;
        } else {
          const std::size_t k = next++ % pool_payloads.size();
          bytes += ref.substr(at[k], at[k + 1] - at[k]);
          expected.push_back(pool_payloads[k]);
        }
      }
      spit(path, bytes);
      const StoreContents c = read_store(path);
      CHECK(c.records == expected);
      CHECK(c.dropped == dropped);
      CHECK(c.problem.empty() == (dropped == 0));
    }
  }
}

TEST_CASE("store: random damage to a store never yields a record that was not written", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("fuzz");
  std::vector<std::string> rows;
  for (int i = 0; i < 60; ++i) rows.push_back("row " + std::to_string(i) + " " + std::string(i % 13, '#'));
  write_all(path, rows);
  const std::string clean = slurp(path);
  std::mt19937 rng(7);
  auto uniform = [&](std::size_t lo, std::size_t hi) {
    return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
  };

  for (int trial = 0; trial < 500; ++trial) {
    CAPTURE(trial);
    std::string bytes = clean;
    const int edits = static_cast<int>(uniform(1, 4));
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const std::size_t pos = uniform(0, bytes.size() - 1);
      switch (uniform(0, 3)) {
        case 0:  // flip a bit
          bytes[pos] = static_cast<char>(bytes[pos] ^ (1 << uniform(0, 7)));
          break;
        case 1:  // lose a stretch
          bytes.erase(pos, uniform(1, 40));
          break;
        case 2:  // stray bytes
          bytes.insert(pos, std::string(uniform(1, 8), static_cast<char>(uniform(0, 255))));
          break;
        default:  // torn at a random point
          bytes.resize(pos);
      }
    }
    spit(path, bytes);
    const StoreContents c = read_store(path);
    // The records read are written rows, in their order, each at most once.
    std::size_t from = 0;
    for (const auto& r : c.records) {
      const auto it = std::find(rows.begin() + static_cast<std::ptrdiff_t>(from), rows.end(), r);
      REQUIRE(it != rows.end());
      from = static_cast<std::size_t>(it - rows.begin()) + 1;
    }
    CHECK(c.valid_bytes <= bytes.size());
    CHECK(c.problem.empty() == (c.dropped == 0));
    if (c.dropped == 0) CHECK(c.valid_bytes == bytes.size());
  }
}

TEST_CASE("store: one writer per file", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("locked");

  auto try_open_in_child = [&] {
    return in_child([&] {
      try {
        StoreWriter w(path);
        w.append("from the child");
        return 0;
      } catch (const wom::Error& e) {
        const std::string m = e.what();
        return m.find("another wom process") != std::string::npos && m.find(path) != std::string::npos ? 3 : 4;
      }
    });
  };

  {
    StoreWriter first(path);
    first.append("from the first writer");
    // flock locks belong to the open file description, so a second open in this very process conflicts.
    CHECK_THROWS_AS(StoreWriter(path), wom::Error);
    CHECK_THROWS_WITH(StoreWriter(path), Contains(path) && Contains("another wom process is writing this shard"));
    CHECK(try_open_in_child() == 3);
    first.append("still writing");
  }
  // The lock went with the first writer.
  CHECK(try_open_in_child() == 0);
  {
    StoreWriter again(path);
    again.append("third");
  }
  CHECK(read_store(path).records ==
        std::vector<std::string>{"from the first writer", "still writing", "from the child", "third"});

  // A writer killed with SIGKILL leaves the lock free and its records durable.
  const int rc = in_child([&] {
    StoreWriter w(path);
    w.append("before the kill");
    ::raise(SIGKILL);
    return 1;
  });
  CHECK(rc == -1);
  StoreWriter w(path);
  w.append("after the kill");
  const auto records = read_store(path).records;
  REQUIRE(records.size() == 6);
  CHECK(records[4] == "before the kill");
  CHECK(records[5] == "after the kill");
}

TEST_CASE("store: unusable paths and payloads give clear errors", "[sweep]") {
  TempDir tmp;

  SECTION("a directory") {
    const std::string dir = tmp.dir.string();
    CHECK_THROWS_WITH(read_store(dir), Contains(dir) && Contains("directory"));
    CHECK_THROWS_WITH(StoreWriter(dir), Contains(dir) && Contains("directory"));
  }

  SECTION("a path through a regular file, or into a missing directory") {
    const std::string file = tmp.file("plain");
    spit(file, "x");
    const std::string through = file + "/shard";
    CHECK_THROWS_WITH(read_store(through), Contains(through) && Contains("Not a directory"));
    CHECK_THROWS_WITH(StoreWriter(through), Contains(through) && Contains("Not a directory"));
    const std::string missing = tmp.file("no/such/dir/shard");
    CHECK(read_store(missing).records.empty());
    CHECK_THROWS_WITH(StoreWriter(missing), Contains(missing) && Contains("No such file or directory"));
  }

  SECTION("a file without read permission") {
    if (::geteuid() == 0) return;  // root reads anything
    const std::string file = tmp.file("secret");
    write_all(file, {"x"});
    ::chmod(file.c_str(), 0);
    CHECK_THROWS_WITH(read_store(file), Contains(file) && Contains("Permission denied"));
    CHECK_THROWS_WITH(StoreWriter(file), Contains(file) && Contains("Permission denied"));
  }

  SECTION("a payload with a newline is refused and nothing is written") {
    const std::string file = tmp.file("nl");
    StoreWriter w(file);
    w.append("ok");
    CHECK_THROWS_WITH(w.append("two\nlines"), Contains(file) && Contains("newline"));
    CHECK_THROWS_AS(w.append("\n"), wom::Error);
    w.append("still ok");
    CHECK(read_store(file).records == std::vector<std::string>{"ok", "still ok"});
    CHECK(read_store(file).dropped == 0);
  }
}

TEST_CASE("store: a full disk fails the append and leaves only intact records", "[sweep]") {
  TempDir tmp;
  const std::string path = tmp.file("full");
  // A record below is 23 bytes: 1001 = 43 * 23 + 12, so the 44th is cut short by the limit, while an empty
  // record (12 bytes) still fits.
  constexpr rlim_t kLimit = 1001;
  auto payload = [](int i) {
    std::string s = std::to_string(i);
    return "row-" + std::string(6 - s.size(), '0') + s;
  };

  const int rc = in_child([&]() -> int {
    ::signal(SIGXFSZ, SIG_IGN);
    rlimit lim{kLimit, kLimit};
    if (::setrlimit(RLIMIT_FSIZE, &lim) != 0) return 10;
    StoreWriter w(path);
    int written = 0;
    std::string message;
    for (; written < 10000; ++written) {
      try {
        w.append(payload(written));
      } catch (const wom::Error& e) {
        message = e.what();
        break;
      }
    }
    if (written != 43) return 11;
    if (message.find(path + ": could not write a result record: ") == std::string::npos) return 12;
    if (message.find(std::strerror(EFBIG)) == std::string::npos) return 13;
    const StoreContents c = read_store(path);
    if (c.records.size() != 43 || c.dropped != 0 || c.valid_bytes != 43 * 23) return 14;
    if (fs::file_size(path) != 43 * 23) return 15;
    // Still refused, still clean; a smaller record that fits goes in.
    try {
      w.append(payload(43));
      return 16;
    } catch (const wom::Error&) {
    }
    if (fs::file_size(path) != 43 * 23) return 17;
    w.append("");  // the writer is still usable: this 12-byte record fits exactly
    if (fs::file_size(path) != kLimit) return 18;
    try {
      w.append("");
      return 19;
    } catch (const wom::Error&) {
    }
    return 0;
  });
  CHECK(rc == 0);

  const StoreContents c = read_store(path);
  REQUIRE(c.records.size() == 44);
  for (int i = 0; i < 43; ++i) CHECK(c.records[static_cast<std::size_t>(i)] == payload(i));
  CHECK(c.records[43].empty());
  CHECK(c.dropped == 0);
  CHECK(c.problem.empty());
  CHECK(c.valid_bytes == fs::file_size(path));
  // Without the limit the writer continues.
  {
    StoreWriter w(path);
    w.append(payload(43));
  }
  CHECK(read_store(path).records.size() == 45);
}

// Regressions found by fuzzing the folder's reading (fuzz/fuzz_store.cpp, fuzz/README.md): a
// damaged manifest.json, or a checksummed record with odd numbers, is refused or skipped with a
// message, never read with undefined behaviour or an index out of range.

namespace {

nlohmann::ordered_json valid_manifest() {
  return {{"kind", "wom sweep"},
          {"spec_hash", "0123"},
          {"design", "grid"},
          {"keys", {"params.beta"}},
          {"metrics", {"a", "b"}},
          {"values", {{"0.1"}, {"0.2"}}},
          {"unit", nlohmann::ordered_json::array()},
          {"replicates",
           {{"min", 2},
            {"max", 4},
            {"batch", 2},
            {"target", {{"metric", "a"}, {"ci_halfwidth", 0.5}, {"relative", false}}}}},
          {"seeds", {7, 7}}};
}

/// The message of the wom::Error that `wom sweep status` throws on the folder ("" if none).
std::string status_error(const TempDir& d, const nlohmann::ordered_json& manifest) {
  spit(d.file("manifest.json"), manifest.dump());
  try {
    (void)wom::sweep::sweep_status(d.dir.string());
  } catch (const wom::Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("fuzz: a damaged manifest is refused, naming what is wrong", "[sweep][fuzz]") {
  TempDir d;
  fs::create_directories(d.dir / "records");
  write_all(d.file("records/w.log"), {R"({"point":0,"replicate":0,"seed":7,"metrics":{"a":1,"b":2}})"});
  CHECK(status_error(d, valid_manifest()).empty());
  auto with = [](const char* key, const nlohmann::ordered_json& v) {
    auto m = valid_manifest();
    m[key] = v;
    return m;
  };
  // A missing or mistyped key was an uncaught json exception.
  auto m = valid_manifest();
  m.erase("spec_hash");
  CHECK_THAT(status_error(d, m), Contains("manifest.json: damaged manifest: [json.exception.out_of_range.403] key "
                                          "'spec_hash' not found"));
  CHECK_THAT(status_error(d, with("keys", 5)), Contains("damaged manifest"));
  CHECK_THAT(status_error(d, nlohmann::ordered_json::array({1, 2})), Contains("manifest.json: not a sweep manifest"));
  CHECK_THAT(status_error(d, with("kind", 5)), Contains("manifest.json: not a sweep manifest"));
  // A seed or count that is not an integer was converted with undefined behaviour.
  CHECK_THAT(status_error(d, with("seeds", {3.6e23, 7})),
             Contains("damaged manifest: [json.exception.type_error.302] expected a non-negative integer, got "));
  CHECK_THAT(status_error(d, with("seeds", {-1, 7})), Contains("expected a non-negative integer, got -1"));
  CHECK_THAT(status_error(d, with("sobol_n", 1e300)), Contains("expected an integer, got 1e+300"));
  // Parts that disagree were read out of range.
  m = valid_manifest();
  m["replicates"]["target"]["metric"] = "c";
  CHECK_THAT(status_error(d, m), Contains("damaged manifest: the precision target's metric 'c' is not among its "
                                          "metrics"));
  CHECK_THAT(status_error(d, with("seeds", {7})), Contains("damaged manifest: 1 seeds for 2 points"));
  CHECK_THAT(status_error(d, with("values", {{"0.1"}, {"0.2", "x"}})),
             Contains("damaged manifest: point 1 has 2 values for 1 keys"));
  m = valid_manifest();
  m["replicates"]["batch"] = 0;
  CHECK_THAT(status_error(d, m), Contains("damaged manifest: replicates.batch = 0: expected 1 or more"));
  m["replicates"]["batch"] = 2;
  m["replicates"]["min"] = 5;
  CHECK_THAT(status_error(d, m), Contains("damaged manifest: replicates min = 5, max = 4"));
}

TEST_CASE("fuzz: an intact record whose numbers are not row ids is skipped, not converted", "[sweep][fuzz]") {
  TempDir d;
  fs::create_directories(d.dir / "records");
  write_all(d.file("records/w.log"), {R"({"point":1e300,"replicate":0,"seed":7,"metrics":{"a":1}})",
                                      R"({"point":0,"replicate":0,"seed":-7,"metrics":{"a":1}})",
                                      R"({"point":0,"replicate":0.5,"seed":7,"metrics":{"a":1}})",
                                      R"({"point":1,"replicate":0,"seed":7,"metrics":{"a":1}})"});
  spit(d.file("manifest.json"), valid_manifest().dump());
  const wom::sweep::SweepStatus s = wom::sweep::sweep_status(d.dir.string());
  CHECK(s.rows == 1);
  REQUIRE(s.problems.size() == 3);
  CHECK_THAT(s.problems[0], Contains("w.log: a record that is not a row was skipped"));
}
