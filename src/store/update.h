// Serial writes into a store (one process, e.g. rank 0): create a store from records, add
// predictions, metrics, judgments and provenance rows. Each call opens, writes, flushes and
// closes the file; a crash leaves the rows written by earlier calls readable.
#pragma once

#include <string>
#include <vector>

#include "corpus/instance.h"
#include "store/schema.h"

namespace because::store {

/// Creates (truncating) a store with instances and explanations (explanation.instance = store
/// row, i.e. index into `instances`; they are sorted stably by instance) — for tests, import and
/// small single-process runs. Human explanations of the instances are NOT added implicitly.
void create_store(const std::string& path, const StoreInfo& info, const std::vector<corpus::Instance>& instances,
                  const std::vector<Explanation>& explanations, const WriteOptions& w = {});

/// Writes /predictions/NAME (replacing a set of the same name).
void write_predictions(const std::string& path, const PredictionSet& p, const WriteOptions& w = {});
/// Writes /judgments/NAME (replacing a set of the same name).
void write_judgments(const std::string& path, const JudgmentSet& j, const WriteOptions& w = {});
/// Sets /metrics row `name` to `json` (replacing an earlier value of that name).
void write_metrics(const std::string& path, const std::string& name, const std::string& json,
                   const WriteOptions& w = {});
/// Appends one row to /provenance.
void append_provenance(const std::string& path, const ProvenanceRow& row, const WriteOptions& w = {});

}  // namespace because::store
