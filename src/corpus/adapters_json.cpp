// JSON-lines adapters: MNLI/SNLI (GLUE-style and original 1.0 layouts), ANLI jsonl, ChaosNLI,
// VariErr, the second study's NLI_explanations.json, NLI disagreement taxonomy files, the sample
// corpus, and the generic field mapping.
#include <cmath>
#include <cstring>

#include "corpus/adapters.h"
#include "util/error.h"

namespace because::corpus::detail {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

bool JsonAdapter::adapt(const std::vector<std::string_view>& records, Instance& out, RowProblem& p) {
  const std::string_view r = records.at(0);
  element doc;
  // The reader guarantees SIMDJSON_PADDING readable bytes after the record: parse in place.
  auto err = parser_.parse(r.data(), r.size(), false).get(doc);
  if (err == simdjson::UTF8_ERROR) {
    p.reason = "invalid_utf8";
    p.detail = "the row is not valid UTF-8";
    return false;
  }
  if (err) {
    p.reason = "malformed_json";
    p.detail = simdjson::error_message(err);
    return false;
  }
  object obj;
  if (doc.get_object().get(obj)) {
    p.reason = "malformed_json";
    p.detail = "the line is not a JSON object";
    return false;
  }
  return adapt_json(obj, out, p);
}

namespace {

// Field lookup with dotted paths ("example.premise").
bool find(object o, std::string_view path, element& out) {
  for (;;) {
    const size_t dot = path.find('.');
    element e;
    if (o.at_key(path.substr(0, dot)).get(e)) return false;
    if (dot == std::string_view::npos) {
      out = e;
      return true;
    }
    if (e.get_object().get(o)) return false;
    path = path.substr(dot + 1);
  }
}

// A string value (numbers are rendered as text). False when null or another type.
bool text_of(element e, std::string& out) {
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    out.assign(sv);
    return true;
  }
  int64_t i;
  if (!e.get_int64().get(i)) {
    out = std::to_string(i);
    return true;
  }
  double d;
  if (!e.get_double().get(d)) {
    out = simdjson::minify(e);
    return true;
  }
  return false;
}

// String field (numbers are rendered as text). False when absent or null.
bool get_text(object o, std::string_view key, std::string& out) {
  element e;
  return find(o, key, e) && text_of(e, out);
}

bool require_text(object o, std::string_view key, std::string& out, RowProblem& p) {
  if (!get_text(o, key, out)) return missing_field(p, key);
  return true;
}

// A label given as a string or an integer id. `no_gold` strings ("-", "") give -1 without a
// problem; anything else unknown is a problem.
bool label_value(const LabelSet& set, element e, std::string_view field, int& gold, RowProblem& p) {
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    if (sv == "-" || sv.empty()) {
      gold = -1;
      return true;
    }
    gold = parse_label(set, sv);
    if (gold < 0) return unknown_label(p, field, sv);
    return true;
  }
  int64_t i;
  if (!e.get_int64().get(i)) {
    if (i == -1) {  // Hugging Face's "no gold"
      gold = -1;
      return true;
    }
    if (i < 0 || i >= set.size()) return unknown_label(p, field, std::to_string(i));
    gold = static_cast<int>(i);
    return true;
  }
  if (e.is_null()) {
    gold = -1;
    return true;
  }
  return unknown_label(p, field, simdjson::minify(e));
}

// A list of label strings -> votes per label.
bool label_votes(const LabelSet& set, element e, std::string_view field, std::vector<uint16_t>& counts,
                 RowProblem& p) {
  array a;
  if (e.get_array().get(a)) return unknown_label(p, field, simdjson::minify(e));
  counts.assign(set.size(), 0);
  for (element x : a) {
    std::string_view sv;
    if (x.get_string().get(sv)) return unknown_label(p, field, simdjson::minify(x));
    if (sv.empty() || sv == "-") continue;
    const int l = parse_label(set, sv);
    if (l < 0) return unknown_label(p, field, sv);
    ++counts[l];
  }
  return true;
}

// Explanations given as a string or a list of strings.
void add_explanations(Adapter& adapter, element e, int label, Instance& out) {
  std::string_view sv;
  if (!e.get_string().get(sv)) {
    if (!sv.empty()) adapter.add_explanation(out, sv, label);
    return;
  }
  array a;
  if (!e.get_array().get(a))
    for (element x : a)
      if (!x.get_string().get(sv) && !sv.empty()) adapter.add_explanation(out, sv, label);
}

// ---- MNLI / SNLI --------------------------------------------------------------------------
// GLUE-style {premise, hypothesis, label} and the original 1.0 layout {sentence1, sentence2,
// gold_label, annotator_labels, pairID}; gold_label "-" means no gold.
class NliJsonl : public JsonAdapter {
 public:
  NliJsonl(const std::string& name, const config::CorpusConfig& c) {
    name_ = name;
    split_ = default_split(c);
    dialect_ = {RecordKind::kLines, '\t'};
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    const bool original = !o.at_key("sentence1").error();
    if (!require_text(o, original ? "sentence1" : "premise", out.text_a, p)) return false;
    if (!require_text(o, original ? "sentence2" : "hypothesis", out.text_b, p)) return false;
    element e;
    const char* lf = original ? "gold_label" : "label";
    if (!find(o, lf, e)) return missing_field(p, lf);
    if (!label_value(*labels_, e, lf, out.gold, p)) return false;
    if (find(o, "annotator_labels", e) && !label_votes(*labels_, e, "annotator_labels", out.label_counts, p))
      return false;
    if (!get_text(o, "pairID", out.uid) && !get_text(o, "uid", out.uid) && !get_text(o, "id", out.uid) &&
        !get_text(o, "idx", out.uid))
      out.uid = make_uid(split_, out.row);
    out.split = split_;
    return true;
  }
};

// ---- ANLI jsonl: uid, context, hypothesis, label e/n/c, reason ---------------------------
class AnliJsonl : public JsonAdapter {
 public:
  explicit AnliJsonl(const config::CorpusConfig& c) {
    name_ = "anli";
    split_ = default_split(c);
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    if (!require_text(o, "uid", out.uid, p) || !require_text(o, "context", out.text_a, p) ||
        !require_text(o, "hypothesis", out.text_b, p))
      return false;
    element e;
    if (!find(o, "label", e)) return missing_field(p, "label");
    if (!label_value(*labels_, e, "label", out.gold, p)) return false;
    std::string reason;
    if (get_text(o, "reason", reason) && !reason.empty()) out.human_explanations.push_back({reason, out.gold});
    out.split = split_;
    return true;
  }
};

// ---- ChaosNLI: 100 annotator labels per item ----------------------------------------------
class ChaosNli : public JsonAdapter {
 public:
  explicit ChaosNli(const config::CorpusConfig& c) {
    name_ = "chaosnli";
    split_ = default_split(c);
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    element e;
    if (find(o, "example.obs1", e)) {
      p.reason = "unsupported_row";
      p.detail = "ChaosNLI alphaNLI item (two observations, two hypotheses): a different task with labels 1/2, "
                 "not NLI; read chaosNLI_snli.jsonl or chaosNLI_mnli_m.jsonl";
      return false;
    }
    if (!require_text(o, "uid", out.uid, p) || !require_text(o, "example.premise", out.text_a, p) ||
        !require_text(o, "example.hypothesis", out.text_b, p))
      return false;
    array a;
    if (!find(o, "label_count", e) || e.get_array().get(a)) return missing_field(p, "label_count");
    out.label_counts.clear();
    for (element x : a) {
      int64_t v;
      if (x.get_int64().get(v) || v < 0 || v > 65535) return unknown_label(p, "label_count", simdjson::minify(e));
      out.label_counts.push_back(static_cast<uint16_t>(v));
    }
    if (out.label_counts.size() != 3) return unknown_label(p, "label_count", simdjson::minify(e));
    if (!find(o, "majority_label", e)) return missing_field(p, "majority_label");
    if (!label_value(*labels_, e, "majority_label", out.gold, p)) return false;
    out.split = split_;
    return true;
  }
};

// ---- VariErr: expert labels with reasons, per label --------------------------------------
class VariErr : public JsonAdapter {
 public:
  explicit VariErr(const config::CorpusConfig& c) {
    name_ = "varierr";
    split_ = default_split(c);
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    if (!require_text(o, "id", out.uid, p) || !require_text(o, "context", out.text_a, p) ||
        !require_text(o, "statement", out.text_b, p))
      return false;
    // Label counts: annotators per label in round 2 (null = 0), else round 1.
    out.label_counts.assign(3, 0);
    element e;
    object counts;
    if ((find(o, "label_count_round_2", e) || find(o, "label_count_round_1", e)) && !e.get_object().get(counts)) {
      for (auto kv : counts) {
        const int l = parse_label(*labels_, kv.key);
        if (l < 0) return unknown_label(p, "label_count_round_2", kv.key);
        double v = 0;
        if (!kv.value.is_null() && kv.value.get_double().get(v)) {
          int64_t iv;
          if (kv.value.get_int64().get(iv)) return unknown_label(p, "label_count_round_2", simdjson::minify(kv.value));
          v = static_cast<double>(iv);
        }
        out.label_counts[l] = static_cast<uint16_t>(std::lround(v));
      }
    }
    for (int l = 0; l < 3; ++l) {
      array a;
      if (!find(o, labels_->labels[l], e) || e.get_array().get(a)) continue;
      for (element x : a) {
        std::string_view reason;
        object xo;
        if (!x.get_object().get(xo) && !xo["reason"].get_string().get(reason) && !reason.empty())
          out.human_explanations.push_back({std::string(reason), l});
      }
    }
    out.gold = unique_argmax(out.label_counts);
    out.split = split_;
    return true;
  }
};

// ---- NLI_explanations.json (second study): MNLI, ChaosNLI and VariErr labels, comments ----
class Mjd : public JsonAdapter {
 public:
  explicit Mjd(const config::CorpusConfig& c) {
    name_ = "mjd";
    split_ = default_split(c);
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    if (!require_text(o, "premise", out.text_a, p) || !require_text(o, "hypothesis", out.text_b, p)) return false;
    element e;
    array a;
    // "mnli labels": [majority letter, [votes e, n, c]]
    if (!find(o, "mnli labels", e) || e.get_array().get(a)) return missing_field(p, "mnli labels");
    std::vector<element> parts;
    for (element x : a) parts.push_back(x);
    if (parts.empty()) return missing_field(p, "mnli labels");
    if (!label_value(*labels_, parts[0], "mnli labels", out.gold, p)) return false;
    // Label counts: the ChaosNLI distribution over 100 annotators.
    if (find(o, "chaos probs", e) && !e.get_array().get(a)) {
      out.label_counts.clear();
      for (element x : a) {
        double v;
        if (x.get_double().get(v) || v < 0 || v > 1) return unknown_label(p, "chaos probs", simdjson::minify(e));
        out.label_counts.push_back(static_cast<uint16_t>(std::lround(v * 100)));
      }
      if (out.label_counts.size() != 3) return unknown_label(p, "chaos probs", simdjson::minify(e));
    }
    if (find(o, "comments", e) && !e.get_array().get(a)) {
      for (element x : a) {
        array pair;
        std::string_view text, lab;
        if (x.get_array().get(pair)) continue;
        std::vector<element> tl;
        for (element y : pair) tl.push_back(y);
        if (tl.size() < 2 || tl[0].get_string().get(text) || tl[1].get_string().get(lab)) {
          p.reason = "unsupported_row";
          p.detail = "comment is not [text, label]: " + simdjson::minify(x);
          return false;
        }
        const int l = parse_label(*labels_, lab);
        if (l < 0) return unknown_label(p, "comments", lab);
        out.human_explanations.push_back({std::string(text), l});
      }
    }
    out.uid = make_uid(split_, out.row);
    out.split = split_;
    return true;
  }
};

// ---- NLI disagreement taxonomy (Jiang & de Marneffe) ----------------------------------------
// {uid, premise, hypothesis, gold_label: "nc"} (a set of label letters) or, in the taxonomy
// rounds, {pairID ending in e/n/c, premise, hypothesis, a1: [categories]}.
class NliDisagreement : public JsonAdapter {
 public:
  explicit NliDisagreement(const config::CorpusConfig& c) {
    name_ = "nli-disagreement";
    split_ = default_split(c);
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    if (!require_text(o, "premise", out.text_a, p) || !require_text(o, "hypothesis", out.text_b, p)) return false;
    std::string labels;
    if (get_text(o, "uid", out.uid)) {
      if (!require_text(o, "gold_label", labels, p)) return false;
    } else if (get_text(o, "pairID", out.uid)) {
      labels = out.uid.empty() ? "" : out.uid.substr(out.uid.size() - 1);  // MNLI pairIDs end in the label letter
    } else {
      return missing_field(p, "uid");
    }
    out.label_counts.assign(3, 0);
    for (char ch : labels) {
      const int l = parse_label(*labels_, std::string_view(&ch, 1));
      if (l < 0) return unknown_label(p, "gold_label", labels);
      out.label_counts[l] = 1;
    }
    out.gold = labels.size() == 1 ? parse_label(*labels_, labels) : -1;
    out.split = split_;
    return true;
  }
};

// ---- the sample corpus: {uid, premise, hypothesis, label, explanations, split, annotator_labels}
class Sample : public JsonAdapter {
 public:
  explicit Sample(const config::CorpusConfig& c) : config_split_(c.split) { name_ = "sample"; }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    // One pass over the fields instead of a lookup per field (the default corpus format, read
    // at scale); the first of duplicate keys wins, as with a lookup.
    enum Field { kUid, kPremise, kHypothesis, kLabel, kVotes, kExplanations, kSplit, kFields };
    static constexpr std::string_view kNames[kFields] = {"uid",         "premise",          "hypothesis", "label",
                                                         "annotator_labels", "explanations", "split"};
    element f[kFields];
    bool has[kFields] = {};
    for (const auto& kv : o) {
      const std::string_view k = kv.key;
      // The field this key names: the length picks the candidate, a compare of that constant
      // length (inlined, no library call) confirms it.
      int i = kFields;
      const char* d = k.data();
      switch (k.size()) {
        case 3: i = std::memcmp(d, "uid", 3) == 0 ? kUid : kFields; break;
        case 5: i = std::memcmp(d, "label", 5) == 0 ? kLabel : std::memcmp(d, "split", 5) == 0 ? kSplit : kFields; break;
        case 7: i = std::memcmp(d, "premise", 7) == 0 ? kPremise : kFields; break;
        case 10: i = std::memcmp(d, "hypothesis", 10) == 0 ? kHypothesis : kFields; break;
        case 12: i = std::memcmp(d, "explanations", 12) == 0 ? kExplanations : kFields; break;
        case 16: i = std::memcmp(d, "annotator_labels", 16) == 0 ? kVotes : kFields; break;
        default: break;
      }
      if (i != kFields && !has[i]) {  // the first of duplicate keys wins
        f[i] = kv.value;
        has[i] = true;
      }
    }
    for (int i : {kUid, kPremise, kHypothesis}) {
      std::string& dst = i == kUid ? out.uid : i == kPremise ? out.text_a : out.text_b;
      if (!has[i] || !text_of(f[i], dst)) return missing_field(p, kNames[i]);
    }
    if (!has[kLabel]) return missing_field(p, "label");
    if (!label_value(*labels_, f[kLabel], "label", out.gold, p)) return false;
    if (has[kVotes] && !label_votes(*labels_, f[kVotes], "annotator_labels", out.label_counts, p)) return false;
    if (has[kExplanations]) add_explanations(*this, f[kExplanations], out.gold, out);
    if (!config_split_.empty() || !has[kSplit] || !text_of(f[kSplit], out.split))
      out.split = config_split_.empty() ? "train" : config_split_;
    return true;
  }

 private:
  std::string config_split_;
};

// ---- generic mapping: --corpus.text_a=FIELD etc. ---------------------------------------------
class GenericJsonl : public JsonAdapter {
 public:
  explicit GenericJsonl(const config::CorpusConfig& c) : c_(c) {
    name_ = "generic";
    split_ = default_split(c);
    if (c.text_a.empty())
      throw ConfigError("--corpus.dataset=generic needs --corpus.text_a=FIELD (and --corpus.text_b, "
                        "--corpus.label, --corpus.uid as the file has them)");
    if (!c.labels.items.empty()) {
      own_.name = "custom";
      own_.labels = c.labels.items;
      labels_ = &own_;
    }
    needs_text_b_ = !c.text_b.empty();
  }

 protected:
  bool adapt_json(object o, Instance& out, RowProblem& p) override {
    if (!require_text(o, c_.text_a, out.text_a, p)) return false;
    if (!c_.text_b.empty() && !require_text(o, c_.text_b, out.text_b, p)) return false;
    element e;
    if (!c_.label.empty()) {
      if (!find(o, c_.label, e)) return missing_field(p, c_.label);
      if (!label_value(*labels_, e, c_.label, out.gold, p)) return false;
    }
    if (!c_.explanation.empty() && find(o, c_.explanation, e)) add_explanations(*this, e, out.gold, out);
    if (c_.uid.empty()) out.uid = make_uid(split_, out.row);
    else if (!require_text(o, c_.uid, out.uid, p)) return false;
    out.split = split_;
    return true;
  }

 private:
  config::CorpusConfig c_;
  LabelSet own_;
};

}  // namespace

std::unique_ptr<Adapter> make_nli_jsonl(const std::string& name, const config::CorpusConfig& c) {
  return std::make_unique<NliJsonl>(name, c);
}
std::unique_ptr<Adapter> make_anli_jsonl(const config::CorpusConfig& c) { return std::make_unique<AnliJsonl>(c); }
std::unique_ptr<Adapter> make_chaosnli(const config::CorpusConfig& c) { return std::make_unique<ChaosNli>(c); }
std::unique_ptr<Adapter> make_varierr(const config::CorpusConfig& c) { return std::make_unique<VariErr>(c); }
std::unique_ptr<Adapter> make_mjd(const config::CorpusConfig& c) { return std::make_unique<Mjd>(c); }
std::unique_ptr<Adapter> make_nli_disagreement(const config::CorpusConfig& c) {
  return std::make_unique<NliDisagreement>(c);
}
std::unique_ptr<Adapter> make_sample(const config::CorpusConfig& c) { return std::make_unique<Sample>(c); }
std::unique_ptr<Adapter> make_generic_jsonl(const config::CorpusConfig& c) { return std::make_unique<GenericJsonl>(c); }

}  // namespace because::corpus::detail
