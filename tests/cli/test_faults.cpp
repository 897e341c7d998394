// Faults (issue 14, point 3), each on the built binary: SIGINT and SIGTERM during run, compare,
// cost and sweep; a disk that fills mid-write (RLIMIT_FSIZE, and a small tmpfs where this
// machine lets us mount one); a run too large for memory; an output folder that exists, is a
// file, or is not writable; two processes writing one folder. Every test waits for what the
// process does (its progress bar, its lock, its rows), never for a fixed time, and asserts no
// wall times.
#include <signal.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <unistd.h>

#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "sim/core/cancel.hpp"
#include "sim/core/graph_spec.hpp"
#include "sim/io/edgelist.hpp"
#include "sim/io/output.hpp"
#include "sweep/store.hpp"
#include "sweep/sweep.hpp"
#include "tests/support/process.hpp"
#include "tests/support/tempdir.hpp"
#include "tests/support/wom_cli.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using wom::test::Child;
using wom::test::entries_with;
using wom::test::Result;
using wom::test::run_wom;
using wom::test::slurp;
using wom::test::spawn_wom;
using wom::test::SpawnOptions;
using wom::test::wait_until;

namespace {

struct TempDir : wom::test::TempDir {
  TempDir() : wom::test::TempDir("wom-faults") {}
};

const std::string kDefault = WOM_SOURCE_DIR "/configs/default.yaml";

/// The default scenario made long: 200,000 persons for 100,000 days, one replicate (minutes of
/// work, which every test here stops within seconds).
std::vector<std::string> long_run(std::vector<std::string> args) {
  for (const char* a : {"--set", "graph.n=200000", "--set", "time.steps=100000", "--replicates", "1"})
    args.emplace_back(a);
  return args;
}

/// A small run of the default scenario (3,000 persons, 60 days, 2 replicates).
const char* kSmall =
    "extends: " WOM_SOURCE_DIR "/configs/default.yaml\nreplicates: 2\ntime: {steps: 60}\ngraph: {n: 3000}\n";

/// The sweep of the kill -9 test (tests/sweep/test_sweep.cpp): 12 points x 2 replicates of
/// 20,000 persons for 120 days (`replicates`, `overrides`: another size).
std::string sweep_spec(int replicates = 2, const std::string& overrides = "{time.steps: 120, graph.n: 20000}") {
  return "base: " + kDefault +
         "\nseed: 3\ndesign: lhs\npoints: 12\nvary:\n  params.policy.acknowledge_rate: {min: 0, max: 1}\n"
         "  params.talk.negativity_bias: {min: 0.5, max: 2}\nreplicates: " +
         std::to_string(replicates) + "\nmetrics: [npv, rating_end]\noverrides: " + overrides + "\n";
}

std::size_t rows_in(const fs::path& sweep) {
  return wom::sweep::read_store((sweep / "records" / "shard-0-of-1.log").string()).records.size();
}

/// Nothing of an output folder `name` in `dir`: no folder, no staging folder, no lock file.
void check_nothing_written(const fs::path& dir, const std::string& name) {
  CHECK_FALSE(fs::exists(dir / name));
  CHECK(entries_with(dir, name + ".tmp-").empty());
  CHECK(entries_with(dir, ".wom-lock").empty());
}

/// Stops `wom ARGS` with `sig` once its progress bar shows (the work is under way), and checks
/// what it leaves: exit 128 + sig, the message, a cleared progress line, nothing written.
void check_interrupted(const std::vector<std::string>& args, int sig) {
  TempDir dir;
  SpawnOptions o;
  o.terminal = true;
  const auto c = spawn_wom(dir, args, o);
  REQUIRE(c);
  // The bar is drawn once the work has lasted a second: the command is past its checks and
  // running, with the handlers in place.
  REQUIRE(c->wait_for_screen("elapsed"));
  ::kill(c->pid, sig);
  REQUIRE(c->wait());  // promptly: at its next step (a run of minutes otherwise)
  const std::string& screen = c->screen;
  INFO(screen);
  CHECK(c->exit_code() == 128 + sig);
  const std::string says =
      std::string("wom: interrupted by ") + (sig == SIGINT ? "SIGINT" : "SIGTERM") + "; nothing was written";
  const auto at = screen.find(says);
  REQUIRE(at != std::string::npos);
  // The progress line was erased after its last drawing, before the message.
  const auto cleared = screen.rfind("\r\033[K", at), drawn = screen.rfind("elapsed", at);
  CHECK(cleared != std::string::npos);
  CHECK(cleared > drawn);
  check_nothing_written(dir.path, "o");
}

/// Whether `mount` works here (root with CAP_SYS_ADMIN): mounts a tmpfs of `size` on `at`.
bool mount_tmpfs(const fs::path& at, const std::string& size) {
  fs::create_directories(at);
  return ::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
}

/// Unmounts on destruction (lazily: nothing may keep a test's folder busy).
struct Mounted {
  fs::path at;
  ~Mounted() {
    if (!at.empty()) ::umount2(at.c_str(), MNT_DETACH);
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------
// Signals

TEST_CASE("SIGINT and SIGTERM stop wom run at its next step: exit 130 / 143, nothing written", "[faults][signals]") {
  SECTION("SIGINT") { check_interrupted(long_run({"run", kDefault, "--out", "o"}), SIGINT); }
  SECTION("SIGTERM") { check_interrupted(long_run({"run", kDefault, "--out", "o"}), SIGTERM); }
  SECTION("a SIGINT ignored at start (a shell's background job) stays ignored") {
    TempDir dir;
    SpawnOptions o;
    o.terminal = true;
    o.ignored = {SIGINT};
    const auto c = spawn_wom(dir, long_run({"run", kDefault, "--out", "o"}), o);
    REQUIRE(c);
    REQUIRE(c->wait_for_screen("elapsed"));
    // Both at once: a handled SIGINT (delivered first, the lower number) would be the one named.
    ::kill(c->pid, SIGINT);
    ::kill(c->pid, SIGTERM);
    REQUIRE(c->wait());
    INFO(c->screen);
    CHECK(c->exit_code() == 128 + SIGTERM);
    CHECK_THAT(c->screen, Contains("wom: interrupted by SIGTERM; nothing was written"));
    check_nothing_written(dir.path, "o");
  }
}

TEST_CASE("SIGINT stops wom compare and SIGTERM wom cost, writing nothing", "[faults][signals]") {
  SECTION("compare") {
    check_interrupted(long_run({"compare", kDefault, "--vary", "params.policy.acknowledge_rate=0.3,0.9", "--out", "o"}),
                      SIGINT);
  }
  SECTION("cost") { check_interrupted(long_run({"cost", kDefault, "--focal", "2", "--out", "o"}), SIGTERM); }
}

TEST_CASE("a signal during wom sweep keeps every finished row, and --resume completes it to the same table",
          "[faults][signals][sweep]") {
  TempDir d;
  d.write("s.yaml", sweep_spec());
  REQUIRE(run_wom(d, "sweep s.yaml --out whole --threads 1 -q").rc == 0);
  const std::string whole = slurp(d.path / "whole/results.csv");

  std::size_t before = 0;
  for (const int sig : {SIGINT, SIGTERM}) {
    INFO((sig == SIGINT ? "SIGINT" : "SIGTERM"));
    std::vector<std::string> args{"sweep", "s.yaml", "--out", "cut", "--threads", "1", "-q"};
    if (before > 0) args.emplace_back("--resume");
    const auto c = spawn_wom(d, args);
    REQUIRE(c);
    // Stopped once two more rows are durable, with more to come.
    REQUIRE(wait_until([&] { return fs::exists(d.path / "cut/records") && rows_in(d.path / "cut") >= before + 2; }));
    ::kill(c->pid, sig);
    REQUIRE(c->wait());
    const std::string err = c->stderr_text();
    INFO(err);
    CHECK(c->exit_code() == 128 + sig);
    const auto status = wom::sweep::sweep_status((d.path / "cut").string());
    CHECK_FALSE(status.complete());
    CHECK(std::size_t(status.rows) >= before + 2);
    CHECK_THAT(err, Contains(fmt::format("wom: interrupted by {}; {} rows are recorded; resume with `wom sweep s.yaml "
                                         "--out cut --resume`",
                                         sig == SIGINT ? "SIGINT" : "SIGTERM", status.rows)));
    CHECK(entries_with(d.path, "cut.tmp-").empty());
    CHECK(entries_with(d.path, ".wom-lock").empty());
    before = std::size_t(status.rows);
  }
  const Result res = run_wom(d, "sweep s.yaml --out cut --resume -q");
  INFO(res.err);
  CHECK(res.rc == 0);
  CHECK(slurp(d.path / "cut/results.csv") == whole);
}

TEST_CASE("a cancel request stops graph building, edge-list reading and output writing", "[faults][signals]") {
  // In-process: the phases before the first step and after the last one check the flag too.
  TempDir d;
  struct Clear {
    ~Clear() { wom::clear_cancel(); }
  } clear;
  wom::request_cancel();
  for (const char* gen : {"erdos_renyi", "barabasi_albert", "holme_kim", "watts_strogatz", "configuration", "sbm"}) {
    INFO(gen);
    wom::GraphSpec g;
    g.generator = gen;
    g.n = 5000;
    if (g.generator == "sbm") g.blocks = {2500, 2500};
    CHECK_THROWS_AS(wom::make_graph(g, 1, 0), wom::Cancelled);
  }
  const std::string edges = d.write("e.txt", "0 1\n1 2\n2 3\n");
  CHECK_THROWS_AS(wom::load_edge_list(edges, false, false), wom::Cancelled);
  const wom::OutputFolder out{(d.path / "o").string(), "run", false};
  CHECK_THROWS_AS(wom::write_output_folder(out, {{"a.txt", [](std::ostream& os) { os << "a\n"; }}}), wom::Cancelled);
  check_nothing_written(d.path, "o");
}

// ---------------------------------------------------------------------------------------
// A full disk

TEST_CASE("a disk that fills mid-write: a clear error, exit 1, no half-written output folder", "[faults][disk]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  SpawnOptions limited;
  limited.file_size = 4096;  // bytes per file: the lock file fits, timeseries.csv does not
  SECTION("wom run") {
    const auto c = spawn_wom(dir, {"run", "s.yaml", "--out", "o", "-q"}, limited);
    REQUIRE(c);
    REQUIRE(c->wait());
    INFO(c->stderr_text());
    CHECK(c->killed_by() == 0);  // not SIGXFSZ: wom ignores it, so the write fails with EFBIG
    CHECK(c->exit_code() == 1);
    CHECK(c->stderr_text() ==
          "wom: error: writing o/timeseries.csv: File too large (the disk is full or a file-size limit was hit); "
          "nothing was written\n");
    check_nothing_written(dir.path, "o");
  }
  SECTION("wom run --force over an existing folder leaves the old one whole") {
    REQUIRE(run_wom(dir, "run s.yaml --out o -q --set time.steps=5").rc == 0);
    const std::string old = slurp(dir.path / "o/timeseries.csv");
    const auto c = spawn_wom(dir, {"run", "s.yaml", "--out", "o", "--force", "-q"}, limited);
    REQUIRE(c);
    REQUIRE(c->wait());
    CHECK(c->exit_code() == 1);
    CHECK_THAT(c->stderr_text(), Contains("writing o/timeseries.csv: File too large"));
    CHECK(slurp(dir.path / "o/timeseries.csv") == old);
    CHECK(entries_with(dir.path, ".tmp-").empty());
  }
  SECTION("wom compare") {
    const auto c = spawn_wom(
        dir, {"compare", "s.yaml", "--vary", "params.policy.acknowledge_rate=0.3,0.9", "--out", "o", "-q"}, limited);
    REQUIRE(c);
    REQUIRE(c->wait());
    CHECK(c->exit_code() == 1);
    CHECK_THAT(c->stderr_text(), StartsWith("wom: error: writing o/compare") && Contains("File too large") &&
                                     Contains("nothing was written"));
    check_nothing_written(dir.path, "o");
  }
  SECTION("wom run --events") {
    const auto c = spawn_wom(dir, {"run", "s.yaml", "--events", "ev.csv", "-q"}, limited);
    REQUIRE(c);
    REQUIRE(c->wait());
    CHECK(c->exit_code() == 1);
    CHECK_THAT(c->stderr_text(), StartsWith("wom: error: writing the event log ev.csv: File too large (the disk is "
                                            "full or a file-size limit was hit); the event log was not written"));
    CHECK(entries_with(dir.path, "ev.csv").empty());
  }
}

TEST_CASE("a small tmpfs that fills mid-write: the same error, nothing written", "[faults][disk]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  Mounted m;
  if (!mount_tmpfs(dir.path / "disk", "16k")) {
    WARN("mount -t tmpfs is not permitted here (not root, or no CAP_SYS_ADMIN): covered by RLIMIT_FSIZE only");
    return;
  }
  m.at = dir.path / "disk";
  const Result r = run_wom(dir, "run s.yaml --out disk/o -q");
  CHECK(r.rc == 1);
  CHECK(r.err ==
        "wom: error: writing disk/o/timeseries.csv: No space left on device (the disk is full or a file-size limit "
        "was hit); nothing was written\n");
  check_nothing_written(dir.path / "disk", "o");
}

TEST_CASE("a sweep whose disk fills keeps its finished rows, and --resume completes it to the same table",
          "[faults][disk][sweep]") {
  TempDir d;
  d.write("s.yaml", sweep_spec(8, "{time.steps: 60, graph.n: 3000}"));  // 96 small rows
  REQUIRE(run_wom(d, "sweep s.yaml --out whole --threads 1 -q").rc == 0);
  const std::string whole = slurp(d.path / "whole/results.csv");
  // A limit above every file the sweep writes before its rows, and well below its result store.
  std::uintmax_t first = 0;
  for (const char* f : {"manifest.json", "design.csv", "writers/shard-0-of-1.json"})
    first = std::max(first, fs::file_size(d.path / "whole" / f));
  const std::uintmax_t store = fs::file_size(d.path / "whole/records/shard-0-of-1.log");
  REQUIRE(first + 1024 < store);
  SpawnOptions limited;
  limited.file_size = rlim_t(first + (store - first) / 2);
  const auto c = spawn_wom(d, {"sweep", "s.yaml", "--out", "full", "--threads", "1", "-q"}, limited);
  REQUIRE(c);
  REQUIRE(c->wait());
  const std::string err = c->stderr_text();
  INFO(err);
  CHECK(c->exit_code() == 1);
  CHECK_THAT(err, StartsWith("wom: error: full/records/shard-0-of-1.log: could not write a result record: File too "
                             "large (the disk is full or a file-size limit was hit: free space, then resume the sweep "
                             "with --resume; the rows finished so far are kept)"));
  const auto status = wom::sweep::sweep_status((d.path / "full").string());
  CHECK(status.rows > 0);
  CHECK_FALSE(status.complete());
  CHECK(status.dropped == 0);  // the partial record was cut off
  const Result res = run_wom(d, "sweep s.yaml --out full --resume -q");
  INFO(res.err);
  CHECK(res.rc == 0);
  CHECK(slurp(d.path / "full/results.csv") == whole);
}

// ---------------------------------------------------------------------------------------
// Memory

TEST_CASE("a sweep whose points would exceed the memory is refused before anything runs", "[faults][memory]") {
  TempDir d;
  d.write("s.yaml", "base: " + kDefault +
                        "\nseed: 1\ndesign: grid\nvary: {params.policy.acknowledge_rate: [0.3, 0.9]}\nreplicates: 1\n"
                        "metrics: [npv]\noverrides: {time.steps: 10, graph.n: 3000000000}\n");
  const Result r = run_wom(d, "sweep s.yaml --out sw -q");
  INFO(r.err);
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, StartsWith("wom: error: ") && Contains("s.yaml: point 0 does not fit in memory") &&
                        Contains("needs an estimated") && Contains("is available") &&
                        Contains("lower graph.n (= 3000000000)"));
  CHECK_FALSE(fs::exists(d.path / "sw"));
  // graph.n: 10000000000 (the example) is past the range of graph.n itself.
  const Result big = run_wom(d, "run " + kDefault + " --set graph.n=10000000000 -q");
  CHECK(big.rc == 1);
  CHECK_THAT(big.err, Contains("graph.n = 10000000000 is out of range: accepted [1, 4294967294] (integer)"));
}

// ---------------------------------------------------------------------------------------
// Output folders, before any work

TEST_CASE("an output folder that exists, is a file or cannot be written is refused before any work",
          "[faults][outputs]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  dir.write("plain", "x");
  fs::create_directories(dir.path / "exists");
  // Every command would be refused for memory once it ran (3,000,000,000 persons): the folder's
  // error shows that the folder is checked first.
  const std::string big = " --set graph.n=3000000000 -q";
  const std::string vary = " --vary params.policy.acknowledge_rate=0.3,0.9";
  struct Case {
    std::string args, says;
  };
  std::vector<Case> cases;
  for (const std::string& cmd : std::vector<std::string>{"run s.yaml", "compare s.yaml" + vary, "cost s.yaml"}) {
    cases.push_back({cmd + " --out exists" + big, "output folder 'exists' already exists"});
    cases.push_back({cmd + " --out plain" + big, "output folder 'plain' exists and is not a folder"});
    cases.push_back(
        {cmd + " --out plain/sub" + big, "cannot create output folder 'plain/sub': 'plain' is not a folder"});
    // /proc takes no new files, not even from root (for whom a mode of 0555 means nothing).
    cases.push_back({cmd + " --out /proc/wom-out" + big, "cannot create output folder '/proc/wom-out'"});
  }
  dir.write("sp.yaml",
            "base: s.yaml\nseed: 1\ndesign: grid\nvary: {params.policy.acknowledge_rate: [0.3, 0.9]}\n"
            "replicates: 1\nmetrics: [npv]\n");
  cases.push_back({"sweep sp.yaml --out plain -q", "--out plain: exists and is not a folder"});
  cases.push_back({"sweep sp.yaml --out /proc/wom-out -q", "cannot create output folder '/proc/wom-out'"});
  // A read-only file system, where this machine lets us bind-mount one.
  Mounted ro;
  fs::create_directories(dir.path / "ro");
  if (std::system(("mount --bind -o ro '" + dir.path.string() + "/exists' '" + dir.path.string() + "/ro' 2>/dev/null")
                      .c_str()) == 0 &&
      ::access((dir.path / "ro").c_str(), W_OK) != 0) {
    ro.at = dir.path / "ro";
    cases.push_back({"run s.yaml --out ro/o" + big, "cannot create output folder 'ro/o': 'ro': Read-only file system"});
  } else {
    WARN("no read-only bind mount here: the not-writable case is covered by /proc only");
  }
  if (::geteuid() != 0) {
    fs::create_directories(dir.path / "locked");
    fs::permissions(dir.path / "locked", fs::perms::owner_read | fs::perms::owner_exec);
    cases.push_back({"run s.yaml --out locked/o" + big, "cannot create output folder 'locked/o'"});
  }
  for (const auto& c : cases) {
    INFO("wom " << c.args);
    const Result r = run_wom(dir, c.args);
    INFO(r.err);
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, StartsWith("wom: error: ") && Contains(c.says));
    CHECK_THAT(r.err, !Contains("memory"));
  }
  if (fs::exists(dir.path / "locked")) fs::permissions(dir.path / "locked", fs::perms::owner_all);
  CHECK(fs::is_empty(dir.path / "exists"));
  CHECK(slurp(dir.path / "plain") == "x");
  CHECK(entries_with(dir.path, ".tmp-").empty());
  CHECK(entries_with(dir.path, ".wom-lock").empty());
}

// ---------------------------------------------------------------------------------------
// Two processes, one folder

TEST_CASE("a second process writing the same output folder is refused up front, and the first completes",
          "[faults][concurrency]") {
  TempDir dir;
  dir.write("s.yaml", kSmall);
  REQUIRE(run_wom(dir, "run s.yaml --out ref -q --set time.steps=2000").rc == 0);
  // The first: holds the folder's lock from its checks to its last write; stopped (SIGSTOP)
  // while the others try, so that it is certainly still at work.
  const auto first = spawn_wom(dir, {"run", "s.yaml", "--out", "o", "-q", "--set", "time.steps=2000"});
  REQUIRE(first);
  // The lock file names its holder once the lock is taken.
  const std::string holder = std::to_string(first->pid) + " run\n";
  REQUIRE(wait_until([&] { return slurp(dir.path / ".o.wom-lock") == holder || first->finished(); }));
  REQUIRE(::kill(first->pid, SIGSTOP) == 0);
  REQUIRE(slurp(dir.path / ".o.wom-lock") == holder);
  if (std::ifstream("/proc/locks")) CHECK(wom::test::holds_flock(first->pid));
  const std::string held = fmt::format("another wom process (pid {}, `wom run`) is writing it", first->pid);
  for (const std::string second :
       {"run s.yaml --out o --set time.steps=5", "cost s.yaml --focal 2 --out o",
        "compare s.yaml --vary params.policy.acknowledge_rate=0.3,0.9 --out o", "run s.yaml --out o/ --force"}) {
    INFO("wom " << second);
    const Result r = run_wom(dir, second + " -q");
    CHECK(r.rc == 1);
    CHECK_THAT(r.err, StartsWith("wom: error: output folder 'o' is in use: ") && Contains(held) &&
                          Contains("wait for it to finish, or choose another folder"));
  }
  // A sweep into it is refused too.
  dir.write("sp.yaml",
            "base: s.yaml\nseed: 1\ndesign: grid\nvary: {params.policy.acknowledge_rate: [0.3, 0.9]}\n"
            "replicates: 1\nmetrics: [npv]\n");
  const Result sw = run_wom(dir, "sweep sp.yaml --out o -q");
  CHECK(sw.rc == 1);
  CHECK_THAT(sw.err, Contains("output folder 'o' is in use") && Contains(held));
  REQUIRE(::kill(first->pid, SIGCONT) == 0);
  REQUIRE(first->wait());
  INFO(first->stderr_text());
  CHECK(first->exit_code() == 0);
  CHECK(slurp(dir.path / "o/timeseries.csv") == slurp(dir.path / "ref/timeseries.csv"));
  CHECK(entries_with(dir.path, ".wom-lock").empty());
  CHECK(entries_with(dir.path, ".tmp-").empty());
}

TEST_CASE("a second wom sweep on the same folder and shard is refused, and the first completes",
          "[faults][concurrency][sweep]") {
  TempDir d;
  d.write("s.yaml", sweep_spec());
  const auto first = spawn_wom(d, {"sweep", "s.yaml", "--out", "sw", "--threads", "1", "-q"});
  REQUIRE(first);
  REQUIRE(wait_until([&] { return (fs::exists(d.path / "sw/records") && rows_in(d.path / "sw") >= 1); }));
  REQUIRE(::kill(first->pid, SIGSTOP) == 0);
  // The same shard, resumed: refused by the shard's lock.
  Result r = run_wom(d, "sweep s.yaml --out sw --resume -q");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Contains("sw/records/shard-0-of-1.log: another wom process is writing this shard"));
  // The same folder, not resumed: refused, naming --resume.
  r = run_wom(d, "sweep s.yaml --out sw -q");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Contains("already holds this sweep"));
  // Another command into the sweep's folder, even with --force: refused.
  d.write("r.yaml", kSmall);
  r = run_wom(d, "run r.yaml --out sw --force -q");
  CHECK(r.rc == 1);
  CHECK_THAT(r.err, Contains("output folder 'sw'"));
  CHECK(fs::exists(d.path / "sw/manifest.json"));
  REQUIRE(::kill(first->pid, SIGCONT) == 0);
  REQUIRE(first->wait());
  INFO(first->stderr_text());
  CHECK(first->exit_code() == 0);
  const auto status = wom::sweep::sweep_status((d.path / "sw").string());
  CHECK(status.complete());
  CHECK(status.rows == 24);
  CHECK(status.dropped == 0);
}
