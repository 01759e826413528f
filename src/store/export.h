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

/// Imports explanations from CSV (header row) or JSONL: fields uid (required), dataset
/// (optional, disambiguates uids), explanation or text (required), label (name, index or
/// empty), sample (optional), source (optional, default `source`). Rows are matched to
/// instances by (dataset, uid) or uid; the /explanations table is rebuilt sorted by instance.
/// The store is modified through a temporary copy renamed when complete. Unmatched rows throw
/// InputError naming file and line. Returns the explanations added.
int64_t import_explanations(const std::string& store_path, const std::string& input, Format format,
                            const std::string& source, const WriteOptions& w = {});

}  // namespace because::store
