// `because pipeline --job FILE --run DIR`: runs the steps of [pipeline] stages in one launch.
// Each step is a registered command called with the same job file and run directory (and the
// step's profile); a step already completed with the same resolved configuration is skipped.
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "app/command.h"
#include "because_version.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"
#include "util/progress.h"

extern char** environ;

namespace because::app {
namespace {

struct Step {
  std::string text;     ///< as written: "train:explainer"
  std::string command;  ///< "train"
  std::string profile;  ///< "train:explainer" or empty
};

Step parse_step(const std::string& s) {
  Step st{s, s, ""};
  const auto colon = s.find(':');
  if (colon != std::string::npos) {
    st.command = s.substr(0, colon);
    st.profile = s;
  }
  return st;
}

const CommandInfo* find_command(const std::string& name) {
  for (const auto& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

// The resolved config hash of one step: what decides whether a completed step is still valid.
std::string step_hash(const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  config::add_all_options(opts, cfg);
  config::parse_command_line(args, opts, 0);
  return opts.hash();
}

int run_report(const Context& ctx, const config::PipelineConfig& pc, const std::string& run_dir) {
  if (!ctx.comm.root()) return 0;
  std::string script = pc.report_script;
  if (script.empty()) {
    script = files::exists("analysis/report.py") ? "analysis/report.py"
                                                   : std::string(BECAUSE_SOURCE_DIR) + "/analysis/report.py";
  }
  if (!files::exists(script)) throw ConfigError("pipeline.report_script: " + script + " does not exist");
  std::vector<std::string> words{pc.python, script, run_dir};
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, pc.python.c_str(), nullptr, nullptr, argv.data(), environ);
  if (rc != 0) throw ConfigError("pipeline.python: cannot run " + pc.python + ": " + std::strerror(rc));
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw Error("report step failed: " + pc.python + " " + script + " " + run_dir + " exited with status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  return 0;
}

int run_pipeline(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  const Usage usage{
      "because pipeline --job FILE --run DIR [options]",
      "Runs the steps listed in the job file's [pipeline] stages, in one launch (under mpirun/srun):\n"
      "each step is `because COMMAND --job FILE --run DIR [--profile COMMAND:NAME]` with the options\n"
      "given here passed on. Steps completed earlier with the same resolved configuration are skipped;\n"
      "an interrupted step resumes. Example: stages = train:explainer, explain, merge, judge, merge,\n"
      "train:classifier, reduce, report",
      {"", "pipeline"},
      0};
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return 0;
  if (parsed->job_file.empty()) throw ConfigError("because pipeline needs a job file (--job FILE)");
  if (cfg.general.run_dir.empty()) throw ConfigError("because pipeline needs a run directory (--run DIR)");
  if (!parsed->profiles.empty()) throw ConfigError("--profile is set per step by [pipeline] stages, not for the pipeline");
  const std::string& run = cfg.general.run_dir;

  // Validate every step before running any.
  std::vector<Step> steps;
  for (const auto& s : cfg.pipeline.stages.items) {
    Step st = parse_step(s);
    if (st.command == "pipeline") throw ConfigError("pipeline.stages: a pipeline cannot contain 'pipeline'");
    if (st.command != "report" && !find_command(st.command))
      throw ConfigError("pipeline.stages: unknown step '" + s + "' (no command '" + st.command +
                        "'; see because --help)");
    steps.push_back(st);
  }
  if (steps.empty()) throw ConfigError("pipeline.stages is empty: nothing to run");
  if (ctx.comm.root()) files::make_dirs(run + "/pipeline");
  write_run_config(ctx, opts, run);

  const auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& st = steps[i];
    std::vector<std::string> step_args = args;  // the user's options pass through
    if (!st.profile.empty()) step_args.insert(step_args.end(), {"--profile", st.profile});
    const std::string hash = step_hash(step_args);
    const std::string marker = run + "/pipeline/" + std::to_string(i + 1) + "-" + st.text + ".done";
    std::string done_hash;
    if (files::exists(marker)) done_hash = files::read_text(marker);
    // Every rank must take the same decision.
    int skip = done_hash == hash + "\n" ? 1 : 0;
    skip = ctx.comm.min(int64_t{skip}) == 1;
    if (skip) {
      log::info0("step ", i + 1, "/", steps.size(), " ", st.text, ": already complete (config ", hash, "), skipped");
      continue;
    }
    log::info0("step ", i + 1, "/", steps.size(), " ", st.text, ": starting");
    const auto s0 = std::chrono::steady_clock::now();
    int rc = 0;
    if (st.command == "report") {
      rc = run_report(ctx, cfg.pipeline, run);
    } else {
      Context sub{ctx.comm, st.command, ctx.command_line + " [step " + st.text + "]"};
      rc = find_command(st.command)->fn(sub, step_args);
    }
    rc = static_cast<int>(ctx.comm.max(int64_t{rc}));
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
    if (rc != 0) {
      log::info0("step ", st.text, " stopped with status ", rc, " after ", Progress::format_duration(secs),
                 "; run the same command again to resume");
      return rc;
    }
    if (ctx.comm.root()) files::write_atomic(marker, hash + "\n");
    log::info0("step ", i + 1, "/", steps.size(), " ", st.text, ": done in ", Progress::format_duration(secs));
  }
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (ctx.comm.root()) {
    std::cout << "pipeline finished in " << Progress::format_duration(total) << "\n"
              << "  run directory: " << run << "\n";
    for (const char* f : {"store.h5", "metrics.json", "report/report.md", "report/report.html"}) {
      if (files::exists(run + "/" + f)) std::cout << "  " << f << ": " << run << "/" << f << "\n";
    }
  }
  return 0;
}

}  // namespace

BECAUSE_COMMAND("pipeline", "run the stages a job file names, in one launch, each resumable", run_pipeline);

}  // namespace because::app
