// Schema `because/1` (docs/store.md): the records stages exchange with the store, the write
// options, and the conversions between records and in-memory tables.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "corpus/instance.h"
#include "store/table.h"

namespace because::config {
struct StoreConfig;
}

namespace because::store {

/// Written into the root attribute `schema` of every store and shard segment.
inline constexpr const char* kSchema = "because/1";
/// Explanation `source` of the human explanations that come with a corpus.
inline constexpr const char* kHumanSource = "human";

// Table paths inside a file.
inline constexpr const char* kInstances = "instances";
inline constexpr const char* kExplanations = "explanations";
inline constexpr const char* kJudgments = "judgments";     ///< group of judgment sets: judgments/NAME
inline constexpr const char* kPredictions = "predictions"; ///< group of prediction sets: predictions/NAME
inline constexpr const char* kMetrics = "metrics";
inline constexpr const char* kProvenance = "provenance";
/// Root attribute: JSON object, per explanation source, of what made it (set, backend, model,
/// model_hash, prompt, prompt_hash, mode, guide), from the explain sets' RUN/SET.json at merge.
inline constexpr const char* kSourcesAttr = "explanation_sources";

/// Why generation of an explanation ended.
enum class Finish : uint8_t { kStop = 0, kLength = 1, kError = 2 };
const char* finish_name(Finish f);           ///< "stop", "length", "error"
Finish parse_finish(const std::string& s);   ///< inverse; throws InputError

/// One explanation. In a ShardChunk `instance` is the corpus row (Instance::row) of an instance
/// of the same chunk, or a store row when the chunk carries no instances; read back from a store
/// it is always the store row (index into /instances).
struct Explanation {
  int64_t instance = -1;
  int label = -1;           ///< label the explanation was asked for; -1 label-free
  int sample = 0;           ///< sample index (0..k-1) for this (instance, label)
  std::string source;       ///< "human", or the explanation set name given by the explain stage
  std::string text;
  uint32_t n_tokens = 0;    ///< generated tokens (0 for human explanations)
  float logprob = std::numeric_limits<float>::quiet_NaN();  ///< sum of token log-probabilities (nats); NaN if unknown
  Finish finish = Finish::kStop;
  std::string error;        ///< empty unless finish == kError
};

/// One judgment of an instance: a label distribution and the raw scores it came from.
struct Judgment {
  int64_t instance = -1;       ///< corpus row (in a chunk with instances) or store row
  std::vector<float> probs;    ///< [L] label distribution
  std::vector<float> scores;   ///< [P * L] raw scores, one row of L per option permutation
};

/// A whole judgment set as read from a store (columnar, for training and reduce).
struct JudgmentSet {
  std::string name;            ///< /judgments/NAME
  std::string method = "{}";   ///< JSON object describing how the scores were made
  int n_labels = 0;
  int n_perms = 0;
  std::vector<int64_t> instance;  ///< store rows, ascending
  std::vector<float> probs;       ///< [n][L]
  std::vector<float> scores;      ///< [n][P][L]
};

/// Predictions of a trained model (columnar).
struct PredictionSet {
  std::string name;            ///< /predictions/NAME
  std::string attrs = "{}";    ///< JSON object (model path, split, epoch, ...)
  int n_labels = 0;
  std::vector<int64_t> instance;  ///< store rows
  std::vector<float> probs;       ///< [n][L]
};

/// One stage run (a row of /provenance).
struct ProvenanceRow {
  std::string command;       ///< "explain", "merge", ...
  std::string command_line;
  std::string config_json;   ///< resolved configuration (JSON)
  std::string config_hash;
  std::string start;         ///< ISO 8601 UTC
  std::string end;           ///< ISO 8601 UTC (empty: the time the row is written)
  int32_t ranks = 1;
  std::string hosts;         ///< JSON list of host names (one per rank)
  std::string versions;      ///< JSON object: because, libtorch, hdf5, mpi
};
/// Current time as ISO 8601 UTC ("2025-01-31T12:00:00Z").
std::string iso_now();

/// How datasets are laid out and compressed.
struct WriteOptions {
  std::string compression = "deflate";  ///< deflate, zstd (HDF5 filter 32015, built in), none
  int level = 4;                        ///< compression level
  int64_t chunk_rows = 4096;            ///< HDF5 chunk rows of numeric columns and offsets
  int64_t chunk_bytes = 1 << 20;        ///< HDF5 chunk size of ragged byte columns (bytes)
  std::string option = "store.compression";  ///< option errors name (and its "_level")
  /// Chunks split each dataset's extent evenly (at most chunk_rows / chunk_bytes each), so no
  /// chunk is a padded tail: for files written once at their final size (shard segments). A
  /// table that grows later (append_table) keeps the chunk size it was created with.
  bool even_chunks = false;
  static WriteOptions from(const config::StoreConfig& c);
  /// The same for shard files: `shard_compression` (when set) and `shard_compression_level`.
  static WriteOptions for_shards(const config::StoreConfig& c);
  /// Throws ConfigError when the compression is unknown or its filter is not available.
  void validate() const;
};
/// True when HDF5 has the zstd filter (id 32015): always, once store/filters.cpp registered it.
bool zstd_available();

/// Store-level description: the label set every label column refers to.
struct StoreInfo {
  std::string schema = kSchema;
  std::string label_set;               ///< "nli", ...
  std::vector<std::string> labels;     ///< label names (L = labels.size())
  std::string created;                 ///< ISO 8601 UTC
  std::string because_version;
  std::string config_json = "{}";      ///< resolved configuration of the run that made it
  std::string config_hash;
};

// ---- record <-> table conversions (used by shard writer, reader, import) -----------------------

/// Empty /instances table for L labels: row i64, uid str, dataset u16*, split u16*, text_a str,
/// text_b str, gold i8, label_counts u16[L], source_file u16*, source_line i64 (* coded).
Table instances_table(int n_labels);
/// Appends instances (human explanations are NOT stored here; see human_explanations()).
void append_instances(Table& t, const std::vector<corpus::Instance>& rows);
/// Instances of rows [begin, end) of the table (human_explanations left empty).
std::vector<corpus::Instance> to_instances(const Table& t, int64_t begin = 0, int64_t end = -1);

/// Empty /explanations table: instance i64, label i8, sample u16, source u16*, text str,
/// n_tokens u32, logprob f32, finish u8*, error str.
Table explanations_table();
void append_explanations(Table& t, const std::vector<Explanation>& rows);
/// The same for rows held elsewhere, in the order given, each with the instance to store in
/// place of its own `instance`.
void append_explanations(Table& t, const std::vector<std::pair<int64_t, const Explanation*>>& rows);
std::vector<Explanation> to_explanations(const Table& t, int64_t begin = 0, int64_t end = -1);
/// The corpus' human explanations of `rows` as explanation records (source "human",
/// sample = index among that instance's human explanations, instance = Instance::row).
std::vector<Explanation> human_explanations(const std::vector<corpus::Instance>& rows);

/// Empty /judgments/NAME table: instance i64, probs f32[L], scores f32[P][L]; attrs method, n_perms.
Table judgments_table(const std::string& name, int n_labels, int n_perms, const std::string& method_json);
void append_judgments(Table& t, const std::vector<Judgment>& rows);
JudgmentSet to_judgment_set(const Table& t);

/// /predictions/NAME table from a prediction set.
Table predictions_table(const PredictionSet& p);
PredictionSet to_prediction_set(const Table& t);

/// Empty /provenance table (string columns + ranks i32).
Table provenance_table();
void append_provenance_row(Table& t, const ProvenanceRow& r);
std::vector<ProvenanceRow> to_provenance(const Table& t);
/// A provenance row as a JSON object (keys as the /provenance columns: command, command_line,
/// config, config_hash, start, end, ranks, hosts, versions) and back (throws on a missing key).
nlohmann::json provenance_to_json(const ProvenanceRow& r);
ProvenanceRow provenance_from_json(const nlohmann::json& j);

}  // namespace because::store
