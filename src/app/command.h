// The command table of the `because` executable. Each command lives in its own file and
// registers itself with BECAUSE_COMMAND; `main` dispatches on the first word.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "mpi/comm.h"
#include "store/schema.h"

namespace because::app {

/// What every command receives.
struct Context {
  const mpi::Comm& comm;   ///< all ranks of the job (size 1 without mpirun)
  std::string command;     ///< e.g. "explain" or "store verify"
  std::string command_line;///< the whole command line, for provenance
};

using CommandFn = int (*)(Context& ctx, const std::vector<std::string>& args);

struct CommandInfo {
  std::string name;     ///< first word (may hold a space for grouped commands: "store verify")
  std::string summary;  ///< one line for `because --help`
  CommandFn fn;
};

const std::vector<CommandInfo>& commands();

struct Registrar {
  Registrar(const char* name, const char* summary, CommandFn fn);
};

#define BECAUSE_CONCAT_INNER(a, b) a##b
#define BECAUSE_CONCAT(a, b) BECAUSE_CONCAT_INNER(a, b)
/// Registers `fn` as `because NAME`.
#define BECAUSE_COMMAND(name, summary, fn) \
  static ::because::app::Registrar BECAUSE_CONCAT(because_command_, __LINE__)(name, summary, fn)

/// How a command is described in its --help.
struct Usage {
  std::string synopsis;               ///< "because explain --job FILE --run DIR [options]"
  std::string description;            ///< a paragraph
  std::vector<std::string> sections;  ///< option sections to show ("" is the general section)
  int n_positional = 0;               ///< positional words allowed (-1: any)
};

/// Parses a command's arguments into `cfg` (command line over job file). Registers every
/// section of Config plus anything the caller bound in `extra` beforehand. Handles --help
/// (prints usage, returns nullopt) and --print-config (prints the resolved job file, returns
/// nullopt). Applies --log-level. Throws ConfigError on bad input.
std::optional<config::ParseResult> parse_options(Context& ctx, const std::vector<std::string>& args,
                                                 config::Config& cfg, config::Options& opts, const Usage& usage);

/// Writes RUN/config.ini (the resolved job) and RUN/config.json on rank 0 (atomically).
void write_run_config(const Context& ctx, const config::Options& opts, const std::string& run_dir);

/// The provenance row of this command, started now: command line, resolved options (JSON) and
/// their hash, ranks, hosts, because/libtorch/HDF5/MPI versions; `end` is set when it is written.
/// Collective (gathers the host names).
store::ProvenanceRow provenance_row(const Context& ctx, const config::Options& opts, const std::string& command);

/// Sets libtorch's intra-op threads: `threads` if > 0, else cores on this node / ranks on it.
void set_torch_threads(const Context& ctx, int threads);

}  // namespace because::app
