// `because store inspect|verify|digest`: integrity checks, a content digest that does not
// depend on chunking, compression or rank count, and a human-readable summary.
#pragma once

#include <string>
#include <vector>

namespace because::store {

struct Fault {
  std::string where;  ///< "/explanations/text.offsets rows 4096..8191", ...
  std::string what;   ///< "fletcher32 checksum mismatch", "offsets decrease at row 17", ...
};

struct VerifyReport {
  std::vector<Fault> faults;
  int64_t n_datasets = 0;
  int64_t n_values = 0;      ///< elements read and checked
  bool ok() const { return faults.empty(); }
};

/// Reads every dataset of a store or shard segment chunk by chunk (fletcher32 is checked on each
/// read) and checks: schema attribute, equal column lengths per table, offsets invariants
/// (offsets[0] == 0, non-decreasing, last == bytes length, n+1 values), UTF-8 of strings, codes
/// inside their name tables, labels in [-1, L), finish codes, explanation.instance < n_instances
/// and sorted, judgment/prediction instance rows in range. Never throws on a fault in the data.
VerifyReport verify_store(const std::string& path);

/// 32 hex digits: xxh3-128 over the logical content of instances, explanations, judgments,
/// predictions and metrics (column names, types, shapes, values in row order; coded columns by
/// their names) plus the schema and label attributes. Provenance and creation attributes are
/// excluded. Independent of HDF5 chunking, compression, name-table order and rank count.
std::string digest_store(const std::string& path);

/// Text summary: schema, root attributes, tables with row counts, columns with types and sizes
/// (stored / logical bytes), provenance rows.
std::string inspect_store(const std::string& path);

}  // namespace because::store
