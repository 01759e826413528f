// `because config`: validates a job file with the command line on top and prints the result.
#include <iostream>

#include "app/command.h"

namespace because::app {
namespace {

int run_config(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{"because config [--job FILE] [--section.key=value ...] [--json]",
                    "Validates a job file (and command-line overrides) against every section and prints the\n"
                    "resolved configuration as a job file, with the config hash that resume checks use.",
                    {}, 0};
  bool json = false;
  opts.add_flag("json", &json, "print JSON instead of a job file").not_hashed("json");
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  if (ctx.comm.root()) {
    if (json) {
      auto j = opts.to_json();
      j.erase("json");
      j["config_hash"] = opts.hash();
      std::cout << j.dump(2) << "\n";
    } else {
      std::cout << "# config hash " << opts.hash() << "\n" << opts.to_ini();
    }
  }
  return 0;
}

}  // namespace

BECAUSE_COMMAND("config", "validate a job file and print the resolved configuration", run_config);

}  // namespace because::app
