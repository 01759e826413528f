// Mergeable corpus statistics for `because corpus stats`: rows per label, per split, bad rows per
// reason, and text length percentiles from fixed-bin histograms (so ranks reduce exactly).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corpus/corpus.h"

namespace because::corpus {

/// Histogram of lengths in bytes: bins 0..kMaxExact-1 exact, one overflow bin; plus the maximum.
struct LengthHistogram {
  static constexpr int kMaxExact = 8192;
  std::vector<int64_t> bins = std::vector<int64_t>(kMaxExact + 1, 0);
  int64_t max = 0;
  void add(size_t n);
  /// Smallest length L with at least q of the values <= L (q in [0,1]); overflow values count as kMaxExact.
  int64_t percentile(double q) const;
  int64_t count() const;
};

struct CorpusStats {
  int64_t rows = 0;                          ///< physical rows seen (good + bad)
  int64_t good = 0;
  std::vector<int64_t> per_label;            ///< per label index, last entry: no gold
  std::map<std::string, int64_t> per_split;
  std::map<std::string, int64_t> bad_per_reason;
  int64_t with_explanations = 0;             ///< good rows with at least one human explanation
  LengthHistogram len_a, len_b;              ///< text_a / text_b lengths in bytes (good rows)

  explicit CorpusStats(int n_labels = 3) : per_label(n_labels + 1, 0) {}
  void add(const ChunkRead& chunk);
  /// Report as JSON (counts, label names, percentiles p50/p90/p99/max).
  nlohmann::json to_json(const LabelSet& labels, const std::string& dataset, const std::string& path) const;
  /// Human-readable report.
  std::string to_text(const LabelSet& labels, const std::string& dataset, const std::string& path) const;
};

}  // namespace because::corpus
