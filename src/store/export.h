// `because store export|import`: JSONL / CSV views of a store for other tools
// (datasets.load_dataset("json", data_files=...) reads the JSONL), and import of explanations.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "store/schema.h"

namespace because::store {

enum class Format { kJsonl, kCsv };
/// "jsonl" / "csv" (also guessed from a file extension); throws ConfigError.
Format parse_format(const std::string& s);

/// Writes one object per row of `table`: "explanations" (each with its instance's fields:
/// row, uid, dataset, split, text_a, text_b, gold, label_counts, then label, sample, source,
/// explanation, n_tokens, logprob, finish, error) or "instances". Label columns are written as
/// names (null when -1). Returns the rows written.
int64_t export_store(const std::string& path, std::ostream& out, Format format,
                     const std::string& table = "explanations");

/// How `import_explanations` reads its input and writes the store.
struct ImportOptions {
  Format format = Format::kJsonl;
  std::string source = "import";  ///< source of rows without a `source` field
  WriteOptions write;             ///< layout and compression of the rebuilt /explanations
  ProvenanceRow provenance;       ///< appended when complete (command empty: none)
};

/// Imports explanations from CSV (RFC 4180, header row) or JSONL into the store at `store_path`.
/// Fields: uid (required; a JSON number is taken as its text), dataset (optional: needed when a
/// uid is in several datasets), explanation or text (required), label (a name of the store's
/// label set, an index, or empty / null / absent for label-free), source (default
/// `o.source`), sample (default: the next index of that instance, label and source), and the
/// fields `because store export` writes: n_tokens, logprob, finish, error (so an export imports
/// back unchanged). Rows are matched to instances by (dataset, uid) or uid. Every row is checked
/// before anything is written: the first bad one (malformed, missing field, unknown uid or
/// label, invalid UTF-8) throws InputError naming file and line, and the store is untouched.
/// The store is rebuilt under a temporary name (every other object copied as stored, the
/// /explanations table written anew, still sorted by instance with an instance's imported rows
/// after its existing ones) and renamed over the original when complete. Returns the
/// explanations added.
int64_t import_explanations(const std::string& store_path, const std::string& input, const ImportOptions& o);

}  // namespace because::store
