// `because COMMAND [options]`: dispatches to the registered commands under MPI.
#include <torch/version.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "app/command.h"
#include "because_version.h"
#include "mpi/guard.h"
#include "store/version.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/signals.h"

namespace {

void print_usage(std::ostream& os) {
  os << "because " << BECAUSE_VERSION
     << ": explain NLI corpora with language models at scale, store them as HDF5, train and evaluate.\n\n"
        "Usage: because COMMAND [options]        (under mpirun/srun for distributed commands)\n"
        "       because COMMAND --help\n"
        "       because --version\n\nCommands:\n";
  auto cmds = because::app::commands();
  std::sort(cmds.begin(), cmds.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  for (const auto& c : cmds) {
    std::string name = c.name;
    name.resize(std::max<size_t>(name.size(), 18), ' ');
    os << "  " << name << " " << c.summary << "\n";
  }
  os << "\nOptions of every command come from the command line and from INI job files (--job FILE).\n"
        "See README.md and jobs/ for examples.\n";
}

void print_version() {
  std::cout << "because " << BECAUSE_VERSION << " (git " << BECAUSE_GIT_REVISION << ")\n"
            << "libtorch " << TORCH_VERSION << "\n"
            << "HDF5 " << because::store::hdf5_version() << "\n"
            << "MPI " << because::mpi::Environment::library_version() << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  using namespace because;
  proc::tune_allocator();  // large buffers from the heap, kept for reuse (util/proc.h)
  // Stop signals may come at any moment (a job step signalled while it starts): catch them from
  // the first instruction, and again after MPI_Init in case the MPI library installed its own.
  signals::install_stop_handlers();
  if (argc < 2) {
    print_usage(std::cerr);
    return 2;
  }
  const std::string first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    print_usage(std::cout);
    return 0;
  }
  if (first == "--version" || first == "version") {
    print_version();
    return 0;
  }
  // Longest match: "store verify" before "store".
  const app::CommandInfo* found = nullptr;
  int words = 0;
  for (const auto& c : app::commands()) {
    const bool two = c.name.find(' ') != std::string::npos;
    if (two) {
      if (argc >= 3 && c.name == first + " " + argv[2]) {
        found = &c;
        words = 2;
        break;
      }
    } else if (c.name == first && !found) {
      found = &c;
      words = 1;
    }
  }
  if (!found) {
    bool group = false;
    for (const auto& c : app::commands()) group |= c.name.rfind(first + " ", 0) == 0;
    if (group) {
      std::cerr << "because: '" << first << "' needs a subcommand:\n";
      for (const auto& c : app::commands())
        if (c.name.rfind(first + " ", 0) == 0) std::cerr << "  because " << c.name << "  " << c.summary << "\n";
      return (argc >= 3 && (std::strcmp(argv[2], "--help") == 0)) ? 0 : 2;
    }
    std::cerr << "because: unknown command '" << first << "' (see because --help)\n";
    return 2;
  }

  mpi::Environment env(&argc, &argv);
  const mpi::Comm world = mpi::Comm::world();
  log::set_rank(world.rank(), world.size());
  signals::install_stop_handlers();
  std::vector<std::string> args(argv + 1 + words, argv + argc);
  std::string line = "because";
  for (int i = 1; i < argc; ++i) line += std::string(" ") + argv[i];
  app::Context ctx{world, found->name, line};
  return mpi::run_guarded(world, [&] { return found->fn(ctx, args); });
}
