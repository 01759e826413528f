// The command table and the option parsing shared by every command.
#include "app/command.h"

#include <torch/torch.h>
#include <unistd.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "because_version.h"
#include "store/version.h"
#include "util/files.h"
#include "util/log.h"
#include "util/proc.h"

namespace because::app {
namespace {
std::vector<CommandInfo>& table() {
  static std::vector<CommandInfo> t;
  return t;
}
}  // namespace

const std::vector<CommandInfo>& commands() { return table(); }

Registrar::Registrar(const char* name, const char* summary, CommandFn fn) { table().push_back({name, summary, fn}); }

std::optional<config::ParseResult> parse_options(Context& ctx, const std::vector<std::string>& args,
                                                 config::Config& cfg, config::Options& opts, const Usage& usage) {
  config::add_all_options(opts, cfg);
  auto result = config::parse_command_line(args, opts, usage.n_positional);
  if (result.help) {
    if (ctx.comm.root()) {
      std::cout << "Usage: " << usage.synopsis << "\n\n";
      if (!usage.description.empty()) std::cout << usage.description << "\n\n";
      std::cout << "Options come from the command line (--section.key=value) and from a job file\n"
                   "(--job FILE, INI: [section] then key = value); the command line wins.\n"
                   "  --job FILE          job file\n"
                   "  --profile SEC:NAME  apply the job file's [SEC:NAME] variant over [SEC]\n"
                   "  --print-config      print the resolved configuration as a job file and exit\n"
                   "  --help              this help\n\n";
      std::cout << opts.help(usage.sections);
    }
    return std::nullopt;
  }
  log::set_level(log::parse_level(cfg.general.log_level));
  if (!cfg.general.run_dir.empty()) opts.expand_run_dir(cfg.general.run_dir);
  if (result.print_config) {
    if (ctx.comm.root()) {
      std::cout << "# because " << ctx.command << ": resolved configuration (config hash " << opts.hash() << ")\n"
                << opts.to_ini();
    }
    return std::nullopt;
  }
  return result;
}

void write_run_config(const Context& ctx, const config::Options& opts, const std::string& run_dir) {
  if (!ctx.comm.root() || run_dir.empty()) return;
  files::make_dirs(run_dir);
  files::write_atomic(run_dir + "/config.ini", "# resolved by: " + ctx.command_line + "\n# config hash " +
                                                    opts.hash() + "\n" + opts.to_ini());
  nlohmann::json j = opts.to_json();
  j["config_hash"] = opts.hash();
  files::write_atomic(run_dir + "/config.json", j.dump(2) + "\n");
}

void set_torch_threads(const Context& ctx, int threads) {
  if (threads <= 0) threads = proc::threads_per_rank(0, ctx.comm.ranks_on_my_host());
  torch::set_num_threads(threads);
  log::debug("libtorch intra-op threads: ", threads);
}

store::ProvenanceRow provenance_row(const Context& ctx, const config::Options& opts, const std::string& command) {
  store::ProvenanceRow r;
  r.command = command;
  r.command_line = ctx.command_line;
  r.config_json = opts.to_json().dump();
  r.config_hash = opts.hash();
  r.start = store::iso_now();
  r.ranks = ctx.comm.size();
  r.hosts = nlohmann::json(ctx.comm.hosts()).dump();
  r.versions = nlohmann::json{{"because", BECAUSE_VERSION},
                              {"libtorch", BECAUSE_TORCH_VERSION},
                              {"hdf5", store::hdf5_version()},
                              {"mpi", mpi::Environment::library_version()}}.dump();
  return r;
}

}  // namespace because::app
