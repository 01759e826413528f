// `because store inspect|verify|digest|export|import`: look into, check and convert stores.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/command.h"
#include "store/check.h"
#include "store/export.h"
#include "store/lock.h"
#include "util/error.h"

namespace because::app {
namespace {

// Parses the options of a store subcommand (into `cfg`, the configuration sections it may read)
// and returns its FILE argument ("" after --help).
std::string parse_file(Context& ctx, const std::vector<std::string>& args, config::Config& cfg, config::Options& opts,
                       const Usage& usage) {
  auto parsed = parse_options(ctx, args, cfg, opts, usage);
  if (!parsed) return "";
  if (parsed->positional.size() != 1) throw ConfigError(ctx.command + ": expects one FILE (see --help)");
  return parsed->positional[0];
}
std::string parse_file(Context& ctx, const std::vector<std::string>& args, config::Options& opts, const Usage& usage) {
  config::Config cfg;
  return parse_file(ctx, args, cfg, opts, usage);
}

int run_inspect(Context& ctx, const std::vector<std::string>& args) {
  config::Options opts;
  const auto file = parse_file(ctx, args, opts, {"because store inspect FILE", "Schema, row counts, columns with stored and logical sizes, provenance.", {}, 1});
  if (file.empty()) return 0;
  if (ctx.comm.root()) std::cout << store::inspect_store(file);
  return 0;
}

int run_verify(Context& ctx, const std::vector<std::string>& args) {
  config::Options opts;
  const auto file = parse_file(ctx, args, opts,
      {"because store verify FILE",
       "Reads every chunk (fletcher32 checksums) and checks offsets, UTF-8, codes, label ranges and\n"
       "cross-references. Exit status 1 on any fault, each named on its own line.", {}, 1});
  if (file.empty()) return 0;
  const auto rep = store::verify_store(file);
  if (!ctx.comm.root()) return rep.ok() ? 0 : 1;
  for (const auto& f : rep.faults) std::cout << "FAULT " << f.where << ": " << f.what << "\n";
  std::cout << file << ": " << (rep.ok() ? "ok" : std::to_string(rep.faults.size()) + " faults") << " ("
            << rep.n_datasets << " columns, " << rep.n_values << " values checked)\n";
  return rep.ok() ? 0 : 1;
}

int run_digest(Context& ctx, const std::vector<std::string>& args) {
  config::Options opts;
  const auto file = parse_file(ctx, args, opts,
      {"because store digest FILE",
       "Content hash of the logical content (independent of chunking, compression and rank count).", {}, 1});
  if (file.empty()) return 0;
  if (ctx.comm.root()) std::cout << store::digest_store(file) << "  " << file << "\n";
  return 0;
}

int run_export(Context& ctx, const std::vector<std::string>& args) {
  config::Options opts;
  std::string format = "jsonl", table = "explanations", output;
  opts.add("format", &format, "jsonl or csv").add("table", &table, "explanations or instances")
      .add("output", &output, "output file (default: standard output)");
  const auto file = parse_file(ctx, args, opts,
      {"because store export FILE [--format jsonl|csv] [--table explanations|instances] [--output PATH]",
       "One object per explanation with its instance's fields; datasets.load_dataset(\"json\") reads the JSONL.", {}, 1});
  if (file.empty() || !ctx.comm.root()) return 0;
  const auto fmt = store::parse_format(format);
  int64_t n = 0;
  if (output.empty()) {
    n = store::export_store(file, std::cout, fmt, table);
  } else {
    std::ofstream out(output, std::ios::binary);
    if (!out) throw InputError("cannot write " + output);
    n = store::export_store(file, out, fmt, table);
    if (!out.flush()) throw InputError("cannot write " + output);
  }
  std::cerr << "exported " << n << " rows\n";
  return 0;
}

int run_import(Context& ctx, const std::vector<std::string>& args) {
  config::Config cfg;
  config::Options opts;
  std::string input, format;
  store::ImportOptions o;
  opts.add("input", &input, "CSV (with a header row) or JSONL file of explanations")
      .add("format", &format, "jsonl or csv (default: from the extension of --input)")
      .add("source", &o.source, "explanation source of rows without a 'source' field");
  const std::string file = parse_file(
      ctx, args, cfg, opts,
      {"because store import FILE --input PATH [--format jsonl|csv] [--source NAME]",
       "Adds explanations to the store FILE, matched to its instances by uid (and dataset, where a uid is in\n"
       "several). Fields: uid, explanation (or text), and optionally dataset, label (name or index; empty for\n"
       "label-free), source, sample, n_tokens, logprob, finish, error: a `because store export` file imports\n"
       "back unchanged. Every row is checked first; the first bad one is an error naming its file and line,\n"
       "and the store is left as it was. The store is rewritten under a temporary name and renamed when\n"
       "complete; /explanations is compressed as --store.compression and --store.compression_level say.",
       {}, 1});
  if (file.empty()) return 0;
  if (input.empty()) throw ConfigError(ctx.command + ": --input PATH is required");
  const store::ProvenanceRow provenance = provenance_row(ctx, opts, "store import");  // collective
  if (!ctx.comm.root()) return 0;
  if (!std::filesystem::exists(file)) throw InputError(file + ": no such store");
  // The store's directory is a run directory or a folder holding stores: no other stage or
  // import may write it meanwhile.
  const std::string dir = std::filesystem::absolute(file).parent_path().string();
  store::RunLock lock(dir, "store import");
  o.format = store::parse_format(format.empty() ? input : format);
  o.write = store::WriteOptions::from(cfg.store);
  o.provenance = provenance;
  const int64_t n = store::import_explanations(file, input, o);
  std::cerr << "imported " << n << " explanations into " << file << "\n";
  return 0;
}

}  // namespace

BECAUSE_COMMAND("store inspect", "schema, row counts, sizes and provenance of a store", run_inspect);
BECAUSE_COMMAND("store verify", "check every checksum and invariant of a store (exit 1 on a fault)", run_verify);
BECAUSE_COMMAND("store digest", "content hash of a store (same for any rank count or compression)", run_digest);
BECAUSE_COMMAND("store export", "export a store as JSONL or CSV", run_export);
BECAUSE_COMMAND("store import", "import explanations from CSV/JSONL into a store", run_import);

}  // namespace because::app
