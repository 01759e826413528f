// Dataset adapters: turn the records of one corpus layout into `Instance`s. One adapter per
// layout (MNLI, SNLI, ANLI, e-SNLI, ChaosNLI, VariErr, ...), chosen by name or detected from the
// file. Adapters never drop a row: a row they cannot adapt gets a reason (see RowProblem).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/corpus.h"
#include "corpus/instance.h"
#include "corpus/records.h"

namespace because::corpus {

/// Why a row could not be adapted. Reasons are short snake_case words counted in reports:
/// malformed_json, malformed_csv, wrong_field_count, missing_field, unknown_label, invalid_utf8,
/// empty_text, oversize, unsupported_row.
struct RowProblem {
  std::string reason;
  std::string detail;
};

/// Names every adapter answers to (`--corpus.dataset`).
const std::vector<std::string>& dataset_names();

/// Where an adapter reads from: one file, or (e-SNLI preprocessed) several line-aligned files.
struct SourceFiles {
  std::vector<std::string> paths;  ///< one per column for directories, else one
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  /// Dataset name recorded in Instance.dataset ("mnli", "snli", ...).
  const std::string& name() const { return name_; }
  const LabelSet& labels() const { return *labels_; }
  const Dialect& dialect() const { return dialect_; }
  /// True when the first record of the (first) file is a header.
  bool has_header() const { return header_; }
  /// True when an empty text_b is an error (pair tasks).
  bool needs_text_b() const { return needs_text_b_; }
  /// Files the records come from (several for per-field directories).
  const SourceFiles& sources() const { return sources_; }
  void set_sources(SourceFiles s) { sources_ = std::move(s); }
  /// Called with the header fields; throws InputError naming the missing columns.
  virtual void set_header(const std::vector<std::string>& columns) {}
  /// Adapts one row (`records[k]` from sources()[k]). Fills `out` (row, dataset, source_* are
  /// set by the caller) and returns true, or fills `problem` and returns false. Not thread-safe.
  virtual bool adapt(const std::vector<std::string_view>& records, Instance& out, RowProblem& problem) = 0;
  /// True when adapt() itself rejects invalid UTF-8 with reason "invalid_utf8" (simdjson
  /// validates while parsing), so the reader need not check the bytes a second time.
  virtual bool validates_utf8() const { return false; }

  /// Uid for layouts without one: "<dataset>-<split>-<row>".
  std::string make_uid(const std::string& split, int64_t row) const;

  /// Clears `x`'s human explanations, keeping their strings for the next rows: readers reuse
  /// Instances row after row, and freeing each explanation's string with its row only to allocate
  /// one for the next row cost 3% of reading the sample corpus. Called before a reused Instance
  /// is refilled.
  void recycle_explanations(Instance& x);
  /// Appends a human explanation to `out`, in a string kept by recycle_explanations when any.
  void add_explanation(Instance& out, std::string_view text, int label);

 protected:
  std::string name_;
  const LabelSet* labels_ = &nli_labels();
  Dialect dialect_;
  bool header_ = false;
  bool needs_text_b_ = true;
  SourceFiles sources_;

 private:
  std::vector<std::string> spare_texts_;  ///< recycled explanation strings (bounded)
};

/// Builds the adapter for `cfg.dataset` (or the detected one when "auto") reading `cfg.path`.
/// Throws ConfigError for unknown names and InputError for files no adapter fits.
std::unique_ptr<Adapter> make_adapter(const config::CorpusConfig& cfg);

/// The dataset name detected from the path and its first record ("" if unknown).
std::string detect_dataset(const std::string& path);

/// Split name from a file name: "dev_matched.jsonl" -> "dev_matched".
std::string split_from_path(const std::string& path);

/// Parses a label string for `set`: canonical names, NLI letters e/n/c, integer ids, and common
/// spellings ("not enough info", "NEI"). Returns -1 when unknown.
int parse_label(const LabelSet& set, std::string_view text);

/// An explanation written by a model elsewhere (the first study's released CSVs), for the
/// explain `import` backend: joins Instance.uid of the same dataset adapter.
struct ImportedExplanation {
  std::string uid;        ///< the instance's uid (same rule as the helpful-nle adapter)
  std::string model;      ///< "gpt4o", "llama3", "mixtral", "gemma2" (from the file name)
  std::string condition;  ///< prompt condition from the file name: "ZS2", "FS2", "FS3"
  std::string text;       ///< the explanation
  int label = -1;         ///< the label the explanation was written for (the gold label)
  std::string source_file;
  int64_t source_line = 0;
};

/// Reads the LLM explanations of a helpful-nle CSV
/// (`explanations_<model>_<esnli_balanced|HFC>_final_<cond>.csv`). Rows that cannot be read
/// are returned in `bad` as (line, reason) pairs; nothing is dropped.
std::vector<ImportedExplanation> read_helpful_nle_explanations(const std::string& path,
                                                               std::vector<std::pair<int64_t, std::string>>* bad = nullptr);

}  // namespace because::corpus
