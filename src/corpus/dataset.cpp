// Adapter registry, dataset detection, label parsing and the helpful-nle explanation import.
#include "corpus/dataset.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "corpus/adapters.h"
#include "util/error.h"
#include "util/hash.h"

namespace because::corpus {

using namespace detail;

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> n{"mnli", "snli", "anli", "esnli", "chaosnli", "varierr", "mjd",
                                          "livenli", "healthfc", "emotion", "helpful-nle", "nli-disagreement",
                                          "sample", "generic"};
  return n;
}

std::string Adapter::make_uid(const std::string& split, int64_t row) const {
  return name_ + "-" + split + "-" + std::to_string(row);
}

void Adapter::recycle_explanations(Instance& x) {
  constexpr size_t kMaxSpare = 1024;  // a row rarely has more than a few explanations
  for (auto& h : x.human_explanations)
    if (spare_texts_.size() < kMaxSpare) spare_texts_.push_back(std::move(h.text));
  x.human_explanations.clear();
}

void Adapter::add_explanation(Instance& out, std::string_view text, int label) {
  if (spare_texts_.empty()) {
    out.human_explanations.push_back({std::string(text), label});
    return;
  }
  out.human_explanations.push_back({std::move(spare_texts_.back()), label});
  spare_texts_.pop_back();
  out.human_explanations.back().text.assign(text);
}

std::string split_from_path(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path p(path);
  if (fs::is_directory(p)) return p.lexically_normal().filename().string();
  return p.stem().string();
}

int parse_label(const LabelSet& set, std::string_view text) {
  const int as_written = set.find(text);  // the common case, without a copy
  if (as_written >= 0) return as_written;
  std::string t(text);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  t.erase(0, std::min(t.size(), t.find_first_not_of(" \t")));
  const int exact = set.find(t);
  if (exact >= 0) return exact;
  const std::string l = lower(t);
  const int li = set.find(l);
  if (li >= 0) return li;
  if (!l.empty() && std::all_of(l.begin(), l.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    const long v = l.size() < 4 ? std::stol(l) : -1;
    return v >= 0 && v < set.size() ? static_cast<int>(v) : -1;
  }
  if (set.name == "nli") {
    if (l == "e") return 0;
    if (l == "n") return 1;
    if (l == "c") return 2;
  }
  if (set.name == "healthfc") {
    if (l == "nei" || l == "not enough info" || l == "not enough evidence") return 1;
    if (l == "supports" || l == "support") return 0;
    if (l == "refutes" || l == "refute") return 2;
  }
  return -1;
}

namespace detail {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string extension(const std::string& path) {
  std::string e = std::filesystem::path(path).extension().string();
  if (!e.empty() && e[0] == '.') e.erase(0, 1);
  return lower(e);
}

std::string default_split(const config::CorpusConfig& c) { return c.split.empty() ? split_from_path(c.path) : c.split; }

bool unknown_label(RowProblem& p, std::string_view field, std::string_view value) {
  p.reason = "unknown_label";
  p.detail = std::string(field) + ": '" + std::string(value.substr(0, 200)) + "'";
  return false;
}

bool missing_field(RowProblem& p, std::string_view field) {
  p.reason = "missing_field";
  p.detail = std::string(field);
  return false;
}

bool parse_count_dict(const LabelSet& set, std::string_view t, std::vector<uint16_t>& counts) {
  counts.assign(set.size(), 0);
  size_t i = t.find('{');
  if (i == std::string_view::npos) return false;
  ++i;
  for (;;) {
    while (i < t.size() && (t[i] == ' ' || t[i] == ',')) ++i;
    if (i >= t.size()) return false;
    if (t[i] == '}') return true;
    const char q = t[i];
    if (q != '\'' && q != '"') return false;
    const size_t j = t.find(q, i + 1);
    if (j == std::string_view::npos) return false;
    const int l = parse_label(set, t.substr(i + 1, j - i - 1));
    if (l < 0) return false;
    i = t.find(':', j);
    if (i == std::string_view::npos) return false;
    ++i;
    while (i < t.size() && t[i] == ' ') ++i;
    size_t k = i;
    while (k < t.size() && std::isdigit(static_cast<unsigned char>(t[k]))) ++k;
    if (k == i || k - i > 5) return false;
    const long v = std::stol(std::string(t.substr(i, k - i)));
    if (v > 65535) return false;
    counts[l] = static_cast<uint16_t>(v);
    i = k;
  }
}

int unique_argmax(const std::vector<uint16_t>& c) {
  if (c.empty()) return -1;
  const auto it = std::max_element(c.begin(), c.end());
  if (*it == 0 || std::count(c.begin(), c.end(), *it) != 1) return -1;
  return static_cast<int>(it - c.begin());
}

std::string content_uid(const std::string& prefix, const std::string& a, const std::string& b) {
  std::string s = a;
  s.push_back('\x1f');
  s += b;
  return prefix + "-" + hash::hex64(hash::xxh64(s));
}

}  // namespace detail

namespace {

// First non-blank record of a file (after a BOM), at most 1 MiB.
std::string first_record(const std::string& path) {
  File f(path);
  std::string s(std::min<uint64_t>(f.size(), 1 << 20), '\0');
  s.resize(f.read_at(0, s.data(), s.size()));
  size_t b = s.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  while (b < s.size() && (s[b] == '\n' || s[b] == '\r')) ++b;
  const size_t nl = s.find('\n', b);
  std::string line = s.substr(b, nl == std::string::npos ? std::string::npos : nl - b);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

bool has(const std::string& s, const char* key) { return s.find(key) != std::string::npos; }

}  // namespace

std::string detect_dataset(const std::string& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) return fs::exists(fs::path(path) / "s1") && fs::exists(fs::path(path) / "labels") ? "esnli" : "";
  const std::string ext = extension(path);
  const std::string name = lower(fs::path(path).lexically_normal().string());  // "snli" in a file or folder name
  const std::string r = first_record(path);
  if (ext == "jsonl" || ext == "json" || (!r.empty() && r[0] == '{')) {
    if (has(r, "\"label_count\"") && has(r, "\"example\"")) return "chaosnli";
    if (has(r, "\"context\"") && has(r, "\"statement\"") && has(r, "\"entailment\"")) return "varierr";
    if (has(r, "\"comments\"") && has(r, "\"chaos probs\"")) return "mjd";
    if (has(r, "\"u_index\"") || (has(r, "\"pairID\"") && has(r, "\"a1\""))) return "nli-disagreement";
    if (has(r, "\"explanations\"") && has(r, "\"uid\"") && has(r, "\"premise\"")) return "sample";
    if (has(r, "\"context\"") && has(r, "\"hypothesis\"") && has(r, "\"label\"")) return "anli";
    if (has(r, "\"sentence1\"") && has(r, "\"gold_label\"")) return has(r, ".jpg#") || has(name, "snli") ? "snli" : "mnli";
    if (has(r, "\"premise\"") && has(r, "\"hypothesis\"") && has(r, "\"label\"")) return has(name, "snli") ? "snli" : "mnli";
    return "";
  }
  if (ext == "csv") {
    if (has(r, "context") && has(r, "statement") && has(r, "gold_label")) return "anli";
    if (has(r, "pairID") && has(r, "Sentence1") && has(r, "Explanation_1")) return "esnli";
    if (has(r, "chaos_dist") && has(r, "multilabel")) return "livenli";
    if (has(r, "explanation") && has(r, "human_explanation")) return "helpful-nle";
    if (has(r, "en_claim") && has(r, "en_explanation")) return "healthfc";
    return "";
  }
  if (ext == "tsv") {
    if (has(r, "sentence1") && has(r, "sentence2")) return "mnli";
    const auto tab = r.find('\t');
    if (tab != std::string::npos && parse_label(nli_labels(), r.substr(0, tab)) >= 0) return has(name, "snli") ? "snli" : "mnli";
    return "";
  }
  if (r.rfind("text;label", 0) == 0) return "emotion";
  return "";
}

std::unique_ptr<Adapter> make_adapter(const config::CorpusConfig& cfg) {
  if (cfg.path.empty()) throw ConfigError("--corpus.path is empty: name a corpus file (e.g. data/sample/sample.jsonl)");
  if (!std::filesystem::exists(cfg.path)) throw ConfigError("--corpus.path '" + cfg.path + "' does not exist");
  std::string ds = cfg.dataset;
  if (ds == "auto") {
    ds = detect_dataset(cfg.path);
    if (ds.empty())
      throw InputError(cfg.path + ": cannot detect the dataset from the file; pass --corpus.dataset=NAME (one of mnli, "
                       "snli, anli, esnli, chaosnli, varierr, mjd, livenli, healthfc, emotion, helpful-nle, "
                       "nli-disagreement, sample, generic)");
  }
  const bool dir = std::filesystem::is_directory(cfg.path);
  const std::string ext = extension(cfg.path);
  const bool json = !dir && (ext == "jsonl" || ext == "json");
  std::unique_ptr<Adapter> a;
  if (ds == "mnli" || ds == "snli") a = (ext == "tsv" || ext == "txt") ? make_mnli_tsv(ds, cfg) : make_nli_jsonl(ds, cfg);
  else if (ds == "anli") a = json ? make_anli_jsonl(cfg) : make_anli_csv(cfg);
  else if (ds == "esnli") a = dir ? make_esnli_dir(cfg) : make_esnli_csv(cfg);
  else if (ds == "chaosnli") a = make_chaosnli(cfg);
  else if (ds == "varierr") a = make_varierr(cfg);
  else if (ds == "mjd") a = make_mjd(cfg);
  else if (ds == "nli-disagreement") a = make_nli_disagreement(cfg);
  else if (ds == "sample") a = make_sample(cfg);
  else if (ds == "livenli") a = make_livenli(cfg);
  else if (ds == "healthfc") a = make_healthfc(cfg);
  else if (ds == "emotion") a = make_emotion(cfg);
  else if (ds == "helpful-nle") a = make_helpful_nle(cfg);
  else if (ds == "generic") {
    std::string fmt = cfg.format == "auto" ? ext : cfg.format;
    if (fmt == "jsonl" || fmt == "json") a = make_generic_jsonl(cfg);
    else if (fmt == "csv") a = make_generic_delimited(cfg, ',', true);
    else if (fmt == "tsv") a = make_generic_delimited(cfg, '\t', false);
    else throw ConfigError("--corpus.format: cannot tell the format of '" + cfg.path + "'; pass jsonl, csv or tsv");
  } else {
    std::string names;
    for (const auto& n : dataset_names()) names += (names.empty() ? "" : ", ") + n;
    throw ConfigError("--corpus.dataset: unknown dataset '" + ds + "' (known: auto, " + names + ")");
  }
  if (a->sources().paths.empty()) a->set_sources({{cfg.path}});
  return a;
}

std::vector<ImportedExplanation> read_helpful_nle_explanations(const std::string& path,
                                                               std::vector<std::pair<int64_t, std::string>>* bad) {
  namespace fs = std::filesystem;
  // explanations_<model>_<esnli_balanced|HFC>_final_<cond>.csv
  const std::string stem = fs::path(path).stem().string();
  std::vector<std::string> parts;
  for (size_t s = 0;;) {
    const size_t u = stem.find('_', s);
    parts.push_back(stem.substr(s, u == std::string::npos ? std::string::npos : u - s));
    if (u == std::string::npos) break;
    s = u + 1;
  }
  if (parts.size() < 4 || parts[0] != "explanations")
    throw InputError(path + ": not a helpful-nle explanation file (expected explanations_<model>_<data>_final_<cond>.csv)");
  const std::string model = parts[1], condition = parts.back();
  File f(path);
  const Dialect d{RecordKind::kCsv, ','};
  const uint64_t begin = static_cast<uint64_t>(bom_length(f));
  RecordReader rr(f, d, begin, f.size(), 1, 64u << 20);
  RawRecord rec;
  std::vector<std::string> header, fields;
  if (!rr.next(rec)) return {};
  split_csv(rec.bytes, ',', header);
  auto col = [&](const char* n) {
    const auto it = std::find(header.begin(), header.end(), n);
    return it == header.end() ? -1 : static_cast<int>(it - header.begin());
  };
  const bool hfc = col("en_claim") >= 0;
  const int a = hfc ? col("en_claim") : col("premise"), b = hfc ? col("en_filtered_sentences") : col("hypothesis");
  const int lab = col("label"), ex = col("explanation");
  if (a < 0 || b < 0 || lab < 0 || ex < 0)
    throw InputError(path + ": header lacks premise/hypothesis (or en_claim/en_filtered_sentences), label, explanation");
  const LabelSet& set = hfc ? healthfc_labels() : nli_labels();
  std::vector<ImportedExplanation> out;
  while (rr.next(rec)) {
    auto fail = [&](const std::string& why) {
      if (bad) bad->emplace_back(rec.line, why);
    };
    if (rec.oversize) { fail("oversize"); continue; }
    try {
      split_csv(rec.bytes, ',', fields);
    } catch (const InputError& e) {
      fail(std::string("malformed_csv: ") + e.what());
      continue;
    }
    if (fields.size() != header.size()) { fail("wrong_field_count"); continue; }
    ImportedExplanation e;
    e.uid = helpful_nle_uid(hfc, fields[a], fields[b]);
    e.model = model;
    e.condition = condition;
    e.text = fields[ex];
    e.label = parse_label(set, fields[lab]);
    if (e.label < 0) { fail("unknown_label: '" + fields[lab] + "'"); continue; }
    e.source_file = path;
    e.source_line = rec.line;
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace because::corpus
