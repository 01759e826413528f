// Internal to src/corpus: the adapter families (JSON-lines and delimited) and shared helpers.
#pragma once

#include <simdjson.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "corpus/dataset.h"

namespace because::corpus::detail {

static_assert(RecordReader::kPadding >= simdjson::SIMDJSON_PADDING, "records must be padded for simdjson");

/// Base of JSON-lines adapters: parses each record with simdjson's DOM parser (in place, using
/// the reader's padding) and hands the object to adapt_json.
class JsonAdapter : public Adapter {
 public:
  bool adapt(const std::vector<std::string_view>& records, Instance& out, RowProblem& problem) override;
  bool validates_utf8() const override { return true; }

 protected:
  virtual bool adapt_json(simdjson::dom::object obj, Instance& out, RowProblem& problem) = 0;
  std::string split_;  ///< split recorded for rows (config or file name)
  simdjson::dom::parser parser_;
};

/// Base of delimited adapters (CSV/TSV/`;`): splits the record into fields and, when the file has
/// a header, looks columns up by name.
class DelimitedAdapter : public Adapter {
 public:
  bool adapt(const std::vector<std::string_view>& records, Instance& out, RowProblem& problem) override;
  void set_header(const std::vector<std::string>& columns) override;

 protected:
  virtual bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& problem) = 0;
  /// Column index of `name` (after set_header) or -1.
  int column(const std::string& name) const;
  /// Requires these columns in the header (InputError otherwise).
  void require_columns(const std::vector<std::string>& names) const;
  std::vector<std::string> header_columns_;
  std::vector<std::string> fields_;
  std::string split_;
  size_t n_fields_ = 0;  ///< expected field count (0: the header's)
  size_t missing_trailing_ok_ = 0;  ///< rows may lack this many trailing fields (read as empty)
};

// JSON-lines layouts.
std::unique_ptr<Adapter> make_nli_jsonl(const std::string& name, const config::CorpusConfig& c);  // mnli/snli glue + original
std::unique_ptr<Adapter> make_anli_jsonl(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_chaosnli(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_varierr(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_mjd(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_nli_disagreement(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_sample(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_generic_jsonl(const config::CorpusConfig& c);
// Delimited layouts.
std::unique_ptr<Adapter> make_mnli_tsv(const std::string& name, const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_anli_csv(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_esnli_csv(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_esnli_dir(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_livenli(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_healthfc(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_emotion(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_helpful_nle(const config::CorpusConfig& c);
std::unique_ptr<Adapter> make_generic_delimited(const config::CorpusConfig& c, char delimiter, bool csv);

/// The helpful-nle uid rule ("hnle-esnli-<hash>" / "hnle-hfc-<hash>" of the raw text fields).
std::string helpful_nle_uid(bool hfc, const std::string& a, const std::string& b);
/// Split for rows: the configured one, else the file name.
std::string default_split(const config::CorpusConfig& c);
/// Lower-case file extension without the dot ("jsonl").
std::string extension(const std::string& path);
/// Lower-cased copy.
std::string lower(std::string s);
/// Sets an unknown_label problem naming the value.
bool unknown_label(RowProblem& p, std::string_view field, std::string_view value);
/// Sets a missing_field problem.
bool missing_field(RowProblem& p, std::string_view field);
/// Parses a Python-literal dict of label counts like "{'c': 11, 'e': 14, 'n': 75}" into counts
/// per label of `set`; false on a malformed text or an unknown key.
bool parse_count_dict(const LabelSet& set, std::string_view text, std::vector<uint16_t>& counts);
/// Index of the largest count if it is unique, else -1.
int unique_argmax(const std::vector<uint16_t>& counts);
/// Hex uid from the texts ("<prefix>-<xxh64 hex>"), for files that have none and whose rows
/// must be joined across files.
std::string content_uid(const std::string& prefix, const std::string& a, const std::string& b);

}  // namespace because::corpus::detail
