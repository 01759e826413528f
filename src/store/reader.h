// Reading a store (or a shard segment): random access to rows and columns, iteration by
// chunks, and the record views the training and reduce stages use. Serial; open one per rank.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corpus/instance.h"
#include "store/schema.h"
#include "store/table.h"

namespace because::store {

/// Rows [begin, end) of /instances with the explanations that refer to them.
struct Batch {
  int64_t begin = 0, end = 0;               ///< store rows of the instances
  std::vector<corpus::Instance> instances;  ///< instances[i].row is the CORPUS row; store row = begin + i
  std::vector<Explanation> explanations;    ///< .instance = store row; ordered by instance
  int64_t explanation_begin = 0;            ///< store row of explanations[0] in /explanations
};

class StoreReader {
 public:
  /// Opens read-only; throws StoreError naming the path (not HDF5, not because/1, ...).
  explicit StoreReader(const std::string& path);
  ~StoreReader();
  StoreReader(StoreReader&&) noexcept;
  StoreReader(const StoreReader&) = delete;
  StoreReader& operator=(const StoreReader&) = delete;

  const std::string& path() const;
  const StoreInfo& info() const;
  int n_labels() const { return static_cast<int>(info().labels.size()); }
  int64_t n_instances() const;
  int64_t n_explanations() const;
  /// Tables present: "instances", "explanations", "judgments/mjd", ...
  std::vector<std::string> tables() const;
  bool has_table(const std::string& name) const;
  int64_t table_rows(const std::string& name) const;
  std::vector<std::string> judgment_names() const;
  std::vector<std::string> prediction_names() const;

  /// Generic access: rows [begin, end) (end < 0: to the end) of the named columns (all if empty).
  Table read(const std::string& table, int64_t begin = 0, int64_t end = -1,
             const std::vector<std::string>& columns = {}) const;
  /// One column (e.g. column("explanations", "instance")).
  Column column(const std::string& table, const std::string& name, int64_t begin = 0, int64_t end = -1) const;

  std::vector<corpus::Instance> read_instances(int64_t begin = 0, int64_t end = -1) const;
  std::vector<Explanation> read_explanations(int64_t begin = 0, int64_t end = -1) const;
  /// Explanation rows [first, last) whose instance lies in [inst_begin, inst_end)
  /// (explanations are sorted by instance; binary search on the cached instance column).
  std::pair<int64_t, int64_t> explanation_range(int64_t inst_begin, int64_t inst_end) const;
  /// Instances [begin, end) with their explanations.
  Batch read_batch(int64_t begin, int64_t end) const;
  /// Calls fn for consecutive batches of `rows` instances (the last may be shorter).
  void for_each_batch(int64_t rows, const std::function<void(const Batch&)>& fn) const;

  JudgmentSet read_judgments(const std::string& name) const;
  PredictionSet read_predictions(const std::string& name) const;
  /// The root attribute explanation_sources: JSON text of {source: {set, backend, model, ...}}
  /// ("{}" when the store has none, e.g. written before it existed or without explain sets).
  std::string explanation_sources() const;
  /// JSON text of /metrics row `name` ("" when absent).
  std::string read_metrics(const std::string& name) const;
  std::vector<std::string> metrics_names() const;
  std::vector<ProvenanceRow> read_provenance() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace because::store
