#pragma once
/// What the `wom` subcommands share: flag checks that CLI11 cannot express, the output folder
/// of a command, and the "next:" line that ends `wom run` and `wom cost`.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/io/config.hpp"
#include "sim/io/plan.hpp"

namespace wom::cli {

/// A 64-bit unsigned flag (--seed, --replicate) as typed: a whole number in [0, 2^64 − 1],
/// decimal digits only (CLI11 would saturate a larger one silently and wrap a negative one).
/// Throws wom::Error naming the flag.
std::uint64_t parse_uint64(const std::string& flag, const std::string& text);

/// Checks such a flag at parse time (the message of `parse_uint64`).
CLI::Validator uint64_check();

/// A whole-number flag (--replicates, --threads, --focal, --t0, ...) in decimal digits: refuses
/// "0x10", "1e3", " 5" and "+5", and rewrites "010" as "10" (CLI11 alone reads a leading 0 as
/// octal). Attach with `->transform(...)`, so it runs before the range check.
CLI::Validator decimal_integer();

/// Refuses an empty value: `--out ''` must not silently mean "no files".
CLI::Validator non_empty();

/// The flags of a run plan and of how to run that run, compare and cost share, declared once:
/// --seed, --replicates (the plan) and --threads (how).
struct PlanFlags {
  std::string seed;  ///< as typed; `choice` parses it
  std::int64_t replicates = 0;
  int threads = 0;
  CLI::Option* seed_opt = nullptr;
  CLI::Option* replicates_opt = nullptr;
  /// The plan the flags ask for: each flag given replaces the config's. Throws wom::Error on a
  /// malformed --seed.
  PlanChoice choice() const;
};

/// Declares --seed, --replicates and --threads on `cmd`; the help names what an absent flag
/// means for this command.
void add_plan_flags(CLI::App* cmd, PlanFlags& flags, const std::string& seed_help, const std::string& seed_default,
                    const std::string& replicates_help, const std::string& replicates_default);

/// The run options of a command that writes only where --out says (compare, cost: a config's
/// output.dir is `wom run`'s): threads from the plan flags, progress unless quiet. Throws
/// wom::Error when --report or --force is given without --out; `folder` names the command's
/// folder in the message ("the comparison's output folder").
RunOptions out_flag_options(const PlanFlags& plan, const std::string& out, bool force, bool report, bool quiet,
                            const std::string& folder);

/// Declares `--force` on a command that writes an output folder.
CLI::Option* add_force_flag(CLI::App* cmd, bool& force);

/// A word for a shell: as is when it is safe, else in single quotes.
std::string shell_word(const std::string& s);

/// The command line as the user typed it (argv[0] shown as `wom`), one shell word each.
std::string command_text(const std::vector<std::string>& command);

/// A `--vary key=a,b` a manager could try on this scenario: the model's first policy lever
/// (service_wom: params.policy.acknowledge_rate), else its first real parameter, at its value
/// in the scenario and one other value in range. Empty when the model has no real parameter.
std::string example_vary(const Scenario& sc);

/// Prints "outputs DIR" and the files written (nothing when none).
void print_written(const std::string& dir, const std::vector<std::string>& written);

/// Prints "next: A  |  B" (the commands that are not empty).
void print_next(const std::vector<std::string>& commands);

/// Makes a write past a file-size limit (RLIMIT_FSIZE, `ulimit -f`) fail with EFBIG, which wom
/// reports like a full disk, instead of killing the process with SIGXFSZ. Call first in main.
void ignore_file_size_signal();

/// SIGINT and SIGTERM ask the running command to stop (sim/core/cancel.hpp): it stops at its
/// next step (or the next chunk of graph building, reading or writing), removes what it had
/// begun to write and exits 128 + the signal (130, 143). The handler only sets the cancel flag
/// and remembers the signal (async-signal-safe); a second signal kills at once (the default
/// action is restored).
void install_interrupt_handlers();

/// Prints `wom: interrupted by SIGINT; WHAT` and returns the exit status: 128 + the signal
/// (130 for SIGINT, 143 for SIGTERM; 130 when no signal is known).
int interrupted_exit(const std::string& what);

}  // namespace wom::cli
