// Delimited adapters: MNLI TSV (GLUE and headerless label/premise/hypothesis), ANLI analysis CSVs,
// e-SNLI (original CSV and preprocessed per-field directory), LiveNLI, HealthFC, dair-ai/emotion,
// the first study's helpful-nle CSVs, and the generic column mapping.
#include <algorithm>
#include <filesystem>

#include "corpus/adapters.h"
#include "util/error.h"

namespace because::corpus::detail {

bool DelimitedAdapter::adapt(const std::vector<std::string_view>& records, Instance& out, RowProblem& p) {
  try {
    if (dialect_.kind == RecordKind::kCsv) split_csv(records.at(0), dialect_.delimiter, fields_);
    else split_plain(records.at(0), dialect_.delimiter, fields_);
  } catch (const InputError& e) {
    p.reason = "malformed_csv";
    p.detail = e.what();
    return false;
  }
  const size_t want = n_fields_ ? n_fields_ : header_columns_.size();
  if (want && fields_.size() < want && fields_.size() + missing_trailing_ok_ >= want) fields_.resize(want);
  if (want && fields_.size() != want) {
    p.reason = "wrong_field_count";
    p.detail = "expected " + std::to_string(want) + " fields, found " + std::to_string(fields_.size());
    return false;
  }
  return adapt_fields(fields_, out, p);
}

void DelimitedAdapter::set_header(const std::vector<std::string>& columns) { header_columns_ = columns; }

int DelimitedAdapter::column(const std::string& name) const {
  const auto it = std::find(header_columns_.begin(), header_columns_.end(), name);
  return it == header_columns_.end() ? -1 : static_cast<int>(it - header_columns_.begin());
}

void DelimitedAdapter::require_columns(const std::vector<std::string>& names) const {
  std::string missing;
  for (const auto& n : names)
    if (column(n) < 0) missing += (missing.empty() ? "" : ", ") + n;
  if (!missing.empty()) {
    std::string have;
    for (const auto& h : header_columns_) have += (have.empty() ? "" : ", ") + h;
    throw InputError(sources_.paths.at(0) + ": header lacks column(s) " + missing + " needed by the " + name_ +
                     " adapter (header: " + have + ")");
  }
}

namespace {

std::string first_line(const std::string& path) {
  File f(path);
  std::string s(std::min<uint64_t>(f.size(), 64 * 1024), '\0');
  s.resize(f.read_at(0, s.data(), s.size()));
  const size_t bom = s.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  const size_t nl = s.find('\n', bom);
  std::string line = s.substr(bom, nl == std::string::npos ? std::string::npos : nl - bom);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// Parses a Python list literal of strings ("['a', \"b\"]") and joins the items with a space.
bool join_py_list(const std::string& s, std::string& out) {
  size_t i = 0;
  auto skip = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')) ++i; };
  skip();
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  out.clear();
  for (;;) {
    skip();
    if (i >= s.size()) return false;
    if (s[i] == ']') return true;
    const char q = s[i];
    if (q != '\'' && q != '"') return false;
    ++i;
    if (!out.empty()) out.push_back(' ');
    for (;; ++i) {
      if (i >= s.size()) return false;
      if (s[i] == '\\' && i + 1 < s.size()) {
        ++i;
        out.push_back(s[i] == 'n' ? '\n' : s[i]);
        continue;
      }
      if (s[i] == q) break;
      out.push_back(s[i]);
    }
    ++i;
    skip();
    if (i < s.size() && s[i] == ',') ++i;
  }
}

bool set_label(const LabelSet& set, const std::string& v, const char* field, int& gold, RowProblem& p) {
  gold = parse_label(set, v);
  if (gold < 0) return unknown_label(p, field, v);
  return true;
}

// ---- MNLI TSV -------------------------------------------------------------------------------
class MnliTsv : public DelimitedAdapter {
 public:
  MnliTsv(const std::string& name, const config::CorpusConfig& c) {
    name_ = name;
    split_ = default_split(c);
    dialect_ = {RecordKind::kLines, '\t'};
    const std::string l = first_line(c.path);
    header_ = l.find("sentence1") != std::string::npos && l.find("sentence2") != std::string::npos;
    if (!header_) n_fields_ = 3;  // label \t premise \t hypothesis (TextFooler / PTB layout)
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    require_columns({"sentence1", "sentence2"});
    a_ = column("sentence1");
    b_ = column("sentence2");
    // GLUE names the gold column gold_label; other exports call it label. GLUE's dev files also
    // give the five annotators' labels (label1..label5): they become label_counts (the train
    // files' lone label1 is the gold label again, not a distribution).
    gold_name_ = column("gold_label") >= 0 ? "gold_label" : "label";
    gold_ = column(gold_name_);
    votes_.clear();
    for (int k = 1; k <= 5; ++k)
      if (const int c = column("label" + std::to_string(k)); c >= 0) votes_.emplace_back(c, k);
    if (votes_.size() < 2) votes_.clear();
    uid_ = column("pairID");
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    if (!header_) {
      out.text_a = f[1];
      out.text_b = f[2];
      if (!set_label(*labels_, f[0], "label", out.gold, p)) return false;
      out.uid = make_uid(split_, out.row);
    } else {
      out.text_a = f[a_];
      out.text_b = f[b_];
      out.gold = -1;
      if (gold_ >= 0 && f[gold_] != "-" && !f[gold_].empty() && !set_label(*labels_, f[gold_], gold_name_, out.gold, p))
        return false;
      if (!votes_.empty()) {
        out.label_counts.assign(labels_->size(), 0);
        for (const auto& [c, k] : votes_) {
          const std::string& cell = f[static_cast<size_t>(c)];
          if (cell.empty()) continue;
          const int l = parse_label(*labels_, cell);
          if (l < 0) return unknown_label(p, "label" + std::to_string(k), cell);
          ++out.label_counts[static_cast<size_t>(l)];
        }
      }
      out.uid = uid_ >= 0 ? f[uid_] : make_uid(split_, out.row);
    }
    out.split = split_;
    return true;
  }

 private:
  int a_ = -1, b_ = -1, gold_ = -1, uid_ = -1;
  const char* gold_name_ = "gold_label";
  std::vector<std::pair<int, int>> votes_;  // (column, k) of labelk, k = 1..5, when two or more
};

// ---- ANLI analysis CSVs -----------------------------------------------------------------------
class AnliCsv : public DelimitedAdapter {
 public:
  explicit AnliCsv(const config::CorpusConfig& c) {
    name_ = "anli";
    split_ = default_split(c);
    dialect_ = {RecordKind::kCsv, ','};
    header_ = true;
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    require_columns({"context", "statement", "gold_label", "uid"});
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.text_a = f[column("context")];
    out.text_b = f[column("statement")];
    out.uid = f[column("uid")];
    if (!set_label(*labels_, f[column("gold_label")], "gold_label", out.gold, p)) return false;
    const int r = column("reason");
    if (r >= 0 && !f[r].empty()) out.human_explanations.push_back({f[r], out.gold});
    out.split = split_;
    return true;
  }
};

// ---- e-SNLI original CSV ------------------------------------------------------------------------
class EsnliCsv : public DelimitedAdapter {
 public:
  explicit EsnliCsv(const config::CorpusConfig& c) {
    name_ = "esnli";
    split_ = default_split(c);
    dialect_ = {RecordKind::kCsv, ','};
    header_ = true;
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    require_columns({"pairID", "gold_label", "Sentence1", "Sentence2", "Explanation_1"});
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.uid = f[column("pairID")];
    out.text_a = f[column("Sentence1")];
    out.text_b = f[column("Sentence2")];
    if (!set_label(*labels_, f[column("gold_label")], "gold_label", out.gold, p)) return false;
    for (const char* e : {"Explanation_1", "Explanation_2", "Explanation_3"}) {
      const int k = column(e);
      if (k >= 0 && !f[k].empty() && f[k] != "NA") out.human_explanations.push_back({f[k], out.gold});
    }
    out.split = split_;
    return true;
  }
};

// ---- e-SNLI preprocessed directory: s1, s2, labels, preproc1_expl_1..3 (one item per line) ----
class EsnliDir : public Adapter {
 public:
  explicit EsnliDir(const config::CorpusConfig& c) {
    namespace fs = std::filesystem;
    name_ = "esnli";
    dialect_ = {RecordKind::kLines, '\t'};
    split_ = c.split.empty() ? fs::path(c.path).lexically_normal().filename().string() : c.split;
    if (split_.empty()) split_ = fs::path(c.path).parent_path().filename().string();
    for (const char* f : {"s1", "s2", "labels"}) {
      const auto p = fs::path(c.path) / f;
      if (!fs::exists(p)) throw InputError(c.path + ": e-SNLI directory lacks '" + f + "' (needs s1, s2, labels, expl_*)");
      sources_.paths.push_back(p.string());
    }
    for (const char* f : {"preproc1_expl_1", "preproc1_expl_2", "preproc1_expl_3", "expl_1", "expl_2", "expl_3"}) {
      const auto p = fs::path(c.path) / f;
      if (fs::exists(p)) sources_.paths.push_back(p.string());
    }
  }
  bool adapt(const std::vector<std::string_view>& r, Instance& out, RowProblem& p) override {
    out.text_a.assign(r[0]);
    out.text_b.assign(r[1]);
    out.gold = parse_label(*labels_, r[2]);
    if (out.gold < 0) return unknown_label(p, "labels", r[2]);
    for (size_t k = 3; k < r.size(); ++k)
      if (!r[k].empty()) out.human_explanations.push_back({std::string(r[k]), out.gold});
    out.uid = make_uid(split_, out.row);
    out.split = split_;
    return true;
  }

 private:
  std::string split_;
};

// ---- LiveNLI: one row per (item, worker) with a free-text explanation ------------------------
class LiveNli : public DelimitedAdapter {
 public:
  explicit LiveNli(const config::CorpusConfig& c) {
    name_ = "livenli";
    split_ = default_split(c);
    missing_trailing_ok_ = 1;  // the released header has an extra unnamed last column the rows lack
    dialect_ = {RecordKind::kCsv, ','};
    header_ = true;
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    require_columns({"uid", "premise", "hypothesis", "chaos_dist", "mnli_labels", "worker_id", "multilabel", "explanation"});
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.uid = f[column("uid")] + "-" + f[column("worker_id")];
    out.text_a = f[column("premise")];
    out.text_b = f[column("hypothesis")];
    const bool in_chaos = !f[column("chaos_dist")].empty();  // items outside ChaosNLI have none
    if (!in_chaos) out.label_counts.clear();
    else if (!parse_count_dict(*labels_, f[column("chaos_dist")], out.label_counts))
      return unknown_label(p, "chaos_dist", f[column("chaos_dist")]);
    // Gold: the majority of the five MNLI annotators' labels (a Python list literal), or the one
    // label some rows give plainly ("entailment").
    std::vector<uint16_t> votes(3, 0);
    const std::string& ml = f[column("mnli_labels")];
    if (ml.find('\'') == std::string::npos) {
      const int l = parse_label(*labels_, ml);
      if (l < 0) return unknown_label(p, "mnli_labels", ml);
      ++votes[l];
    }
    size_t i = 0;
    while ((i = ml.find('\'', i)) != std::string::npos) {
      const size_t j = ml.find('\'', i + 1);
      if (j == std::string::npos) return unknown_label(p, "mnli_labels", ml);
      const int l = parse_label(*labels_, std::string_view(ml).substr(i + 1, j - i - 1));
      if (l < 0) return unknown_label(p, "mnli_labels", ml);
      ++votes[l];
      i = j + 1;
    }
    out.gold = unique_argmax(votes);
    // The worker's judgement: true / either / false, or several joined by " | ".
    const std::string& m = f[column("multilabel")];
    int label = -2;
    size_t s = 0;
    for (;;) {
      size_t e = m.find('|', s);
      std::string part = m.substr(s, e == std::string::npos ? std::string::npos : e - s);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      const int l = part == "true" ? 0 : part == "either" ? 1 : part == "false" ? 2 : -1;
      if (l < 0) return unknown_label(p, "multilabel", m);
      label = label == -2 ? l : -1;  // several judgements: the explanation is not tied to one label
      if (e == std::string::npos) break;
      s = e + 1;
    }
    std::string expl = f[column("explanation")];
    expl.erase(expl.find_last_not_of(" \n\r\t") + 1);
    if (!expl.empty()) out.human_explanations.push_back({expl, label});
    out.split = split_;
    return true;
  }
};

// ---- HealthFC: claim + evidence sentences, verdict 0 supported / 1 NEI / 2 refuted -----------
class HealthFc : public DelimitedAdapter {
 public:
  explicit HealthFc(const config::CorpusConfig& c) : lang_(c.language) {
    name_ = "healthfc";
    labels_ = &healthfc_labels();
    split_ = default_split(c);
    dialect_ = {RecordKind::kCsv, ','};
    header_ = true;
    if (lang_ != "en" && lang_ != "de") throw ConfigError("--corpus.language must be en or de, not '" + lang_ + "'");
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    require_columns({lang_ + "_claim", lang_ + "_top_sentences", lang_ + "_explanation", "label"});
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.text_a = f[column(lang_ + "_claim")];
    out.text_b = f[column(lang_ + "_top_sentences")];
    if (!set_label(*labels_, f[column("label")], "label", out.gold, p)) return false;
    const std::string& e = f[column(lang_ + "_explanation")];
    if (!e.empty()) out.human_explanations.push_back({e, out.gold});
    out.uid = make_uid(split_, out.row);
    out.split = split_;
    return true;
  }

 private:
  std::string lang_;
};

// ---- dair-ai/emotion: "text;label" lines with a header -------------------------------------------
class Emotion : public DelimitedAdapter {
 public:
  explicit Emotion(const config::CorpusConfig& c) {
    name_ = "emotion";
    labels_ = &emotion_labels();
    split_ = default_split(c);
    dialect_ = {RecordKind::kLines, ';'};
    header_ = first_line(c.path).rfind("text;label", 0) == 0;
    needs_text_b_ = false;
  }
  bool adapt(const std::vector<std::string_view>& r, Instance& out, RowProblem& p) override {
    const std::string_view rec = r.at(0);
    const size_t k = rec.rfind(';');  // the text may hold ';', the label never does
    if (k == std::string_view::npos) {
      p.reason = "wrong_field_count";
      p.detail = "no ';' separating text and label";
      return false;
    }
    out.text_a.assign(rec.substr(0, k));
    out.text_b.clear();
    const std::string_view lab = rec.substr(k + 1);
    out.gold = parse_label(*labels_, lab);
    if (out.gold < 0) return unknown_label(p, "label", lab);
    out.uid = make_uid(split_, out.row);
    out.split = split_;
    return true;
  }

 protected:
  bool adapt_fields(const std::vector<std::string>&, Instance&, RowProblem&) override { return false; }
};

// ---- helpful-nle: the first study's CSVs (human explanation here; LLM ones via
// read_helpful_nle_explanations) ---------------------------------------------------------------
class HelpfulNle : public DelimitedAdapter {
 public:
  explicit HelpfulNle(const config::CorpusConfig& c) {
    name_ = "helpful-nle";
    split_ = default_split(c);
    dialect_ = {RecordKind::kCsv, ','};
    header_ = true;
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    hfc_ = column("en_claim") >= 0;
    if (hfc_) {
      labels_ = &healthfc_labels();
      require_columns({"en_claim", "en_filtered_sentences", "label", "human_explanation"});
      a_ = column("en_claim");
      b_ = column("en_filtered_sentences");
    } else {
      require_columns({"premise", "hypothesis", "label", "human_explanation"});
      a_ = column("premise");
      b_ = column("hypothesis");
    }
  }
  /// uid rule shared with read_helpful_nle_explanations.
  static std::string uid_of(bool hfc, const std::string& a, const std::string& b) {
    return content_uid(hfc ? "hnle-hfc" : "hnle-esnli", a, b);
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.text_a = f[a_];
    if (!hfc_ || !join_py_list(f[b_], out.text_b)) out.text_b = f[b_];
    if (!set_label(*labels_, f[column("label")], "label", out.gold, p)) return false;
    const std::string& h = f[column("human_explanation")];
    if (!h.empty()) out.human_explanations.push_back({h, out.gold});
    out.uid = uid_of(hfc_, f[a_], f[b_]);
    out.split = split_;
    return true;
  }

 private:
  bool hfc_ = false;
  int a_ = -1, b_ = -1;
};

// ---- generic columns -------------------------------------------------------------------------------
class GenericDelimited : public DelimitedAdapter {
 public:
  GenericDelimited(const config::CorpusConfig& c, char delim, bool csv) : c_(c) {
    name_ = "generic";
    split_ = default_split(c);
    dialect_ = {csv ? RecordKind::kCsv : RecordKind::kLines, delim};
    header_ = true;
    if (c.text_a.empty())
      throw ConfigError("--corpus.dataset=generic needs --corpus.text_a=COLUMN (and --corpus.text_b, --corpus.label, "
                        "--corpus.uid as the file has them)");
    if (!c.labels.items.empty()) {
      own_.name = "custom";
      own_.labels = c.labels.items;
      labels_ = &own_;
    }
    needs_text_b_ = !c.text_b.empty();
  }
  void set_header(const std::vector<std::string>& columns) override {
    DelimitedAdapter::set_header(columns);
    std::vector<std::string> need{c_.text_a};
    for (const auto* s : {&c_.text_b, &c_.label, &c_.uid, &c_.explanation})
      if (!s->empty()) need.push_back(*s);
    require_columns(need);
  }

 protected:
  bool adapt_fields(const std::vector<std::string>& f, Instance& out, RowProblem& p) override {
    out.text_a = f[column(c_.text_a)];
    out.text_b = c_.text_b.empty() ? "" : f[column(c_.text_b)];
    out.gold = -1;
    if (!c_.label.empty() && !set_label(*labels_, f[column(c_.label)], c_.label.c_str(), out.gold, p)) return false;
    if (!c_.explanation.empty() && !f[column(c_.explanation)].empty())
      out.human_explanations.push_back({f[column(c_.explanation)], out.gold});
    out.uid = c_.uid.empty() ? make_uid(split_, out.row) : f[column(c_.uid)];
    out.split = split_;
    return true;
  }

 private:
  config::CorpusConfig c_;
  LabelSet own_;
};

}  // namespace

std::unique_ptr<Adapter> make_mnli_tsv(const std::string& name, const config::CorpusConfig& c) {
  return std::make_unique<MnliTsv>(name, c);
}
std::unique_ptr<Adapter> make_anli_csv(const config::CorpusConfig& c) { return std::make_unique<AnliCsv>(c); }
std::unique_ptr<Adapter> make_esnli_csv(const config::CorpusConfig& c) { return std::make_unique<EsnliCsv>(c); }
std::unique_ptr<Adapter> make_esnli_dir(const config::CorpusConfig& c) { return std::make_unique<EsnliDir>(c); }
std::unique_ptr<Adapter> make_livenli(const config::CorpusConfig& c) { return std::make_unique<LiveNli>(c); }
std::unique_ptr<Adapter> make_healthfc(const config::CorpusConfig& c) { return std::make_unique<HealthFc>(c); }
std::unique_ptr<Adapter> make_emotion(const config::CorpusConfig& c) { return std::make_unique<Emotion>(c); }
std::unique_ptr<Adapter> make_helpful_nle(const config::CorpusConfig& c) { return std::make_unique<HelpfulNle>(c); }
std::unique_ptr<Adapter> make_generic_delimited(const config::CorpusConfig& c, char delim, bool csv) {
  return std::make_unique<GenericDelimited>(c, delim, csv);
}

std::string helpful_nle_uid(bool hfc, const std::string& a, const std::string& b) {
  return HelpfulNle::uid_of(hfc, a, b);
}

}  // namespace because::corpus::detail
