// File readers and text rendering for the standalone metric commands.
#include "metrics/score_files.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>

#include "metrics/classification.h"
#include "metrics/distribution.h"
#include "util/error.h"
#include "util/files.h"

namespace because::metrics {
namespace {

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

bool parse_int(const std::string& s, long long& out) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  for (size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') return false;
  out = std::stoll(s);
  return true;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<std::string> read_lines(const std::string& path) {
  const std::string text = files::read_text(path);
  std::vector<std::string> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    pos = nl + 1;
  }
  return lines;
}

nlohmann::json score_nlg_files(const std::string& hyp_path, const std::vector<std::string>& ref_paths,
                               const NlgOptions& opt) {
  if (ref_paths.empty()) throw ConfigError("metrics nlg: give at least one --ref FILE");
  const auto hyps = read_lines(hyp_path);
  std::vector<std::vector<std::string>> refs;
  for (const auto& p : ref_paths) {
    refs.push_back(read_lines(p));
    if (refs.back().size() != hyps.size())
      throw InputError("metrics nlg: " + p + " has " + std::to_string(refs.back().size()) + " lines but " + hyp_path +
                       " has " + std::to_string(hyps.size()) + "; every reference file needs one line per hypothesis");
  }
  const WordNet* wordnet = WordNet::system();
  NlgScorer scorer(opt, wordnet);
  NlgState st(opt);
  std::vector<std::string> r(refs.size());
  for (size_t i = 0; i < hyps.size(); ++i) {
    for (size_t k = 0; k < refs.size(); ++k) r[k] = refs[k][i];
    st.add(scorer, hyps[i], r);
  }
  auto j = st.to_json();
  j["references"] = static_cast<int64_t>(refs.size());
  j["rouge_stemmer"] = opt.rouge_stemmer;
  j["meteor_wordnet"] = wordnet != nullptr;
  return j;
}

std::vector<std::vector<double>> read_vectors(const std::string& path) {
  std::vector<std::vector<double>> out;
  const auto lines = read_lines(path);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).empty()) continue;
    const std::string where = path + ":" + std::to_string(i + 1);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(lines[i]);
    } catch (const std::exception& e) {
      throw InputError(where + ": not JSON (" + e.what() + ")");
    }
    if (j.is_object()) {
      bool found = false;
      for (const char* k : {"probs", "dist", "label_dist", "counts", "label_counts"}) {
        if (j.contains(k)) {
          j = j[k];
          found = true;
          break;
        }
      }
      if (!found) throw InputError(where + ": object without probs, dist, label_dist, counts or label_counts");
    }
    if (!j.is_array() || j.empty()) throw InputError(where + ": expected a non-empty array of numbers");
    std::vector<double> v;
    for (const auto& x : j) {
      if (!x.is_number() || x.get<double>() < 0) throw InputError(where + ": values must be non-negative numbers");
      v.push_back(x.get<double>());
    }
    double s = 0;
    for (double x : v) s += x;
    if (s <= 0) throw InputError(where + ": all values are zero");
    out.push_back(std::move(v));
  }
  return out;
}

nlohmann::json score_dist_files(const std::string& target_path, const std::string& pred_path) {
  const auto target = read_vectors(target_path), pred = read_vectors(pred_path);
  if (target.size() != pred.size())
    throw InputError("metrics dist: " + target_path + " has " + std::to_string(target.size()) + " items but " +
                     pred_path + " has " + std::to_string(pred.size()));
  if (target.empty()) throw InputError("metrics dist: " + target_path + " holds no items");
  DistState st;
  std::vector<double> x, y;
  const size_t L = target[0].size();
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i].size() != L || pred[i].size() != L)
      throw InputError("metrics dist: item " + std::to_string(i + 1) + " has a vector length other than " +
                       std::to_string(L));
    st.add(target[i], pred[i]);
    for (double v : normalise(target[i])) x.push_back(v);
    for (double v : normalise(pred[i])) y.push_back(v);
  }
  const auto r = st.value();
  nlohmann::json j;
  j["n"] = r.n;
  j["kl"] = r.kl;
  j["js"] = r.js;
  j["tvd"] = r.tvd;
  j["dcor"] = DistanceCorrelation(x, static_cast<int>(L), y, static_cast<int>(L)).compute();
  j["entropy_target"] = r.entropy_human;
  j["entropy_pred"] = r.entropy_model;
  j["entropy_corr"] = r.entropy_corr;
  return j;
}

nlohmann::json score_cls_files(const std::string& gold_path, const std::string& pred_path) {
  const auto gold = read_lines(gold_path), pred = read_lines(pred_path);
  if (gold.size() != pred.size())
    throw InputError("metrics cls: " + gold_path + " has " + std::to_string(gold.size()) + " lines but " + pred_path +
                     " has " + std::to_string(pred.size()));
  // A line is an integer id, a JSON array (argmax), or a label name.
  struct Label {
    bool none = false;
    bool is_int = false;
    long long id = -1;
    std::string name;
  };
  auto parse = [](const std::string& raw, const std::string& where) {
    Label l;
    const std::string s = trim(raw);
    if (s.empty() || s == "-1") {
      l.none = true;
      return l;
    }
    if (s[0] == '[') {
      const auto j = nlohmann::json::parse(s, nullptr, false);
      if (j.is_discarded() || !j.is_array() || j.empty()) throw InputError(where + ": malformed score array");
      for (const auto& x : j)
        if (!x.is_number()) throw InputError(where + ": score array holds " + x.dump() + ", not a number");
      size_t best = 0;
      for (size_t k = 1; k < j.size(); ++k)
        if (j[k].get<double>() > j[best].get<double>()) best = k;
      l.is_int = true;
      l.id = static_cast<long long>(best);
      return l;
    }
    if (parse_int(s, l.id)) {
      if (l.id < 0) throw InputError(where + ": negative label " + s);
      l.is_int = true;
      return l;
    }
    l.name = s;
    return l;
  };
  std::vector<Label> g, p;
  for (size_t i = 0; i < gold.size(); ++i) {
    g.push_back(parse(gold[i], gold_path + ":" + std::to_string(i + 1)));
    p.push_back(parse(pred[i], pred_path + ":" + std::to_string(i + 1)));
  }
  bool any_int = false, any_name = false;
  std::set<std::string> names;
  long long max_id = -1;
  for (const auto* v : {&g, &p})
    for (const auto& l : *v) {
      if (l.none) continue;
      if (l.is_int) {
        any_int = true;
        max_id = std::max(max_id, l.id);
      } else {
        any_name = true;
        names.insert(l.name);
      }
    }
  if (any_int && any_name) throw InputError("metrics cls: mixes integer labels and label names");
  std::vector<std::string> label_names;
  std::map<std::string, int> code;
  if (any_name) {
    for (const auto& n : names) {
      code[n] = static_cast<int>(label_names.size());
      label_names.push_back(n);
    }
  } else {
    for (long long k = 0; k <= max_id; ++k) label_names.push_back(std::to_string(k));
  }
  auto id_of = [&](const Label& l) { return l.none ? -1 : l.is_int ? static_cast<int>(l.id) : code[l.name]; };
  ClassificationState st(static_cast<int>(label_names.size()));
  int64_t skipped = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    if (g[i].none) {
      ++skipped;
      continue;
    }
    if (p[i].none) throw InputError(pred_path + ":" + std::to_string(i + 1) + ": no prediction for a gold item");
    st.add(id_of(g[i]), id_of(p[i]));
  }
  const auto r = st.value();
  nlohmann::json j;
  j["n"] = r.n;
  j["skipped_no_gold"] = skipped;
  j["accuracy"] = r.accuracy;
  j["macro_f1"] = r.macro_f1;
  j["weighted_f1"] = r.weighted_f1;
  j["macro_precision"] = r.macro_precision;
  j["macro_recall"] = r.macro_recall;
  nlohmann::json per = nlohmann::json::object();
  for (size_t c = 0; c < label_names.size(); ++c) {
    if (!r.present[c]) continue;
    per[label_names[c]] = {{"precision", r.precision[c]}, {"recall", r.recall[c]}, {"f1", r.f1[c]}, {"support", r.support[c]}};
  }
  j["per_class"] = per;
  // As scikit-learn's confusion_matrix: over the labels that occur in gold or predictions, sorted.
  nlohmann::json present = nlohmann::json::array();
  for (size_t c = 0; c < label_names.size(); ++c)
    if (r.present[c]) present.push_back(label_names[c]);
  j["labels"] = present;
  j["confusion"] = st.matrix(r.present);
  return j;
}

std::string format_nlg(const nlohmann::json& j) {
  std::ostringstream os;
  const auto p = j["bleu_precisions"].get<std::vector<double>>();
  os << "segments  " << j["n"].get<int64_t>() << " (" << j["references"].get<int64_t>() << " reference set(s))\n";
  os << "BLEU      " << fmt("%.2f", j["bleu"].get<double>()) << " " << fmt("%.1f", p[0]) << "/" << fmt("%.1f", p[1]) << "/"
     << fmt("%.1f", p[2]) << "/" << fmt("%.1f", p[3]) << " (BP = " << fmt("%.3f", j["bleu_bp"].get<double>())
     << " hyp_len = " << j["bleu_sys_len"].get<int64_t>() << " ref_len = " << j["bleu_ref_len"].get<int64_t>()
     << ")  [sacreBLEU: 13a, exp smoothing, case-sensitive]\n";
  os << "chrF2     " << fmt("%.2f", j["chrf"].get<double>()) << "\n";
  os << "ROUGE-1   " << fmt("%.4f", j["rouge1"].get<double>()) << "\n";
  os << "ROUGE-2   " << fmt("%.4f", j["rouge2"].get<double>()) << "\n";
  os << "ROUGE-L   " << fmt("%.4f", j["rougeL"].get<double>())
     << (j.value("rouge_stemmer", false) ? "  [Porter stemmer]" : "") << "\n";
  if (j.contains("meteor"))
    os << "METEOR    " << fmt("%.4f", j["meteor"].get<double>())
       << (j.value("meteor_wordnet", false) ? "  [exact+stem+WordNet]" : "  [exact+stem; WordNet not installed]") << "\n";
  return os.str();
}

std::string format_dist(const nlohmann::json& j) {
  std::ostringstream os;
  os << "items                  " << j["n"].get<int64_t>() << "\n";
  os << "KL(target || pred)     " << fmt("%.6f", j["kl"].get<double>()) << "\n";
  os << "JS distance            " << fmt("%.6f", j["js"].get<double>()) << "\n";
  os << "TVD                    " << fmt("%.6f", j["tvd"].get<double>()) << "\n";
  os << "distance correlation   " << fmt("%.6f", j["dcor"].get<double>()) << "\n";
  os << "entropy target / pred  " << fmt("%.6f", j["entropy_target"].get<double>()) << " / "
     << fmt("%.6f", j["entropy_pred"].get<double>()) << " (Pearson r " << fmt("%.4f", j["entropy_corr"].get<double>())
     << ")\n";
  return os.str();
}

std::string format_cls(const nlohmann::json& j) {
  std::ostringstream os;
  os << "examples     " << j["n"].get<int64_t>();
  if (j["skipped_no_gold"].get<int64_t>() > 0) os << " (" << j["skipped_no_gold"].get<int64_t>() << " without gold skipped)";
  os << "\naccuracy     " << fmt("%.4f", j["accuracy"].get<double>()) << "\nmacro F1     "
     << fmt("%.4f", j["macro_f1"].get<double>()) << "\nweighted F1  " << fmt("%.4f", j["weighted_f1"].get<double>())
     << "\n\n" << "label                 precision  recall     f1  support\n";
  for (const auto& [name, v] : j["per_class"].items()) {
    std::string n = name;
    n.resize(std::max<size_t>(n.size(), 20), ' ');
    os << n << "  " << fmt("%9.4f", v["precision"].get<double>()) << "  " << fmt("%6.4f", v["recall"].get<double>())
       << "  " << fmt("%6.4f", v["f1"].get<double>()) << "  " << fmt("%7.0f", v["support"].get<double>()) << "\n";
  }
  os << "\nconfusion (rows gold, columns predicted; labels " << j["labels"].dump() << ")\n";
  for (const auto& row : j["confusion"]) {
    for (const auto& c : row) os << fmt("%8.0f", c.get<double>());
    os << "\n";
  }
  return os.str();
}

}  // namespace because::metrics
