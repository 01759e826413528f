// Importing explanations from CSV / JSONL files.
#include "generate/import_backend.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "corpus/dataset.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace because::generate {
namespace {

const char* kUidColumns[] = {"uid", "id", "pairID", "pair_id"};
const char* kTextA[] = {"premise", "text_1", "text_a", "context", "en_claim", "claim", "sentence1", "Sentence1", "text"};
const char* kTextB[] = {"hypothesis", "text_2", "text_b", "statement", "en_filtered_sentences", "evidence", "sentence2",
                        "Sentence2"};

int find_column(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return static_cast<int>(i);
  return -1;
}
template <size_t N>
int find_any(const std::vector<std::string>& header, const char* const (&names)[N]) {
  for (const char* n : names)
    if (int c = find_column(header, n); c >= 0) return c;
  return -1;
}

int parse_label(const std::string& s) {
  if (s.empty()) return -1;
  char* end = nullptr;
  const long v = std::strtol(s.c_str(), &end, 10);
  if (end && *end == '\0' && v >= 0 && v < 128) return static_cast<int>(v);
  return -1;
}

}  // namespace

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  size_t i = 0;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) i = 3;  // BOM
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw InputError("CSV ends inside a quoted field");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string text_key(const std::string& a, const std::string& b) {
  auto norm = [](const std::string& s) {
    std::string o;
    bool space = false;
    for (char c : s) {
      if (std::isspace(static_cast<unsigned char>(c))) {
        space = !o.empty();
      } else {
        if (space) o += ' ';
        space = false;
        o += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
    }
    return o;
  };
  return norm(a) + "\x1f" + norm(b);
}

ImportBackend::ImportBackend(const ImportOptions& options) : options_(options) {
  if (options_.path.empty()) throw ConfigError("--explain.import_path: the import backend needs a CSV or JSONL file");
  if (options_.match != "uid" && options_.match != "text" && options_.match != "helpful-nle")
    throw ConfigError("--explain.import_match: expected uid, text or helpful-nle, got '" + options_.match + "'");
  const std::string text = files::read_text(options_.path);
  hash_ = hash::hex64(hash::xxh64(text));
  const bool jsonl = options_.path.size() >= 6 && (options_.path.substr(options_.path.size() - 6) == ".jsonl" ||
                                                   options_.path.substr(options_.path.size() - 5) == ".json");
  auto add = [&](const std::string& key, int label, std::string expl) {
    entries_[key].push_back({label, std::move(expl)});
    ++n_rows_;
  };
  if (options_.match == "helpful-nle") {
    // The first study's CSVs: instances by the helpful-nle adapter's uid rule (HealthFC's evidence
    // list is joined there, so a text match would miss it).
    std::vector<std::pair<int64_t, std::string>> bad;
    for (auto& e : corpus::read_helpful_nle_explanations(options_.path, &bad)) add(e.uid, e.label, std::move(e.text));
    if (!bad.empty())
      throw InputError(options_.path + ":" + std::to_string(bad.front().first) + ": " + bad.front().second + " (" +
                       std::to_string(bad.size()) + " bad rows)");
  } else if (jsonl) {
    std::istringstream is(text);
    std::string line;
    int64_t n = 0;
    while (std::getline(is, line)) {
      ++n;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const std::exception& e) {
        throw InputError(options_.path + ":" + std::to_string(n) + ": malformed JSON: " + e.what());
      }
      auto str = [&](const char* k) { return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string(); };
      if (!j.contains(options_.text_column))
        throw InputError(options_.path + ":" + std::to_string(n) + ": no field '" + options_.text_column + "'");
      std::string key;
      if (options_.match == "uid") {
        for (const char* k : kUidColumns)
          if (j.contains(k)) key = j[k].is_string() ? j[k].get<std::string>() : j[k].dump();
      } else {
        std::string a, b;
        for (const char* k : kTextA)
          if (a.empty()) a = str(k);
        for (const char* k : kTextB)
          if (b.empty()) b = str(k);
        key = text_key(a, b);
      }
      int label = -1;
      if (j.contains("label")) label = j["label"].is_number_integer() ? j["label"].get<int>() : parse_label(str("label"));
      add(key, label, j[options_.text_column].get<std::string>());
    }
  } else {
    auto rows = parse_csv(text);
    if (rows.empty()) throw InputError(options_.path + ": empty CSV");
    const auto& header = rows[0];
    const int ct = find_column(header, options_.text_column);
    if (ct < 0) throw InputError(options_.path + ": no column '" + options_.text_column + "' in the header");
    const int cl = find_column(header, "label");
    const int cu = find_any(header, kUidColumns);
    const int ca = find_any(header, kTextA);
    const int cb = find_any(header, kTextB);
    if (options_.match == "uid" && cu < 0)
      throw ConfigError(options_.path + ": no uid column (uid, id, pairID); use --explain.import_match=text");
    if (options_.match == "text" && ca < 0)
      throw ConfigError(options_.path + ": no text column (premise, text_1, context, ...) to match by text");
    for (size_t r = 1; r < rows.size(); ++r) {
      const auto& row = rows[r];
      auto at = [&](int c) { return c >= 0 && static_cast<size_t>(c) < row.size() ? row[static_cast<size_t>(c)] : std::string(); };
      const std::string key = options_.match == "uid" ? at(cu) : text_key(at(ca), at(cb));
      add(key, parse_label(at(cl)), at(ct));
    }
  }
}

nlohmann::json ImportBackend::provenance() const {
  return {{"backend", "import"}, {"model", options_.path}, {"model_hash", hash_}, {"match", options_.match},
          {"text_column", options_.text_column}};
}

std::vector<GenResult> ImportBackend::generate(const std::vector<GenRequest>& requests, const SamplingParams&) {
  std::vector<GenResult> out(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const auto& r = requests[i];
    auto& g = out[i];
    if (!r.instance) throw BackendError("import backend: request without an instance");
    const std::string key = options_.match == "text" ? text_key(r.instance->text_a, r.instance->text_b) : r.instance->uid;
    const auto it = entries_.find(key);
    int seen = 0;
    bool found = false;
    if (it != entries_.end()) {
      for (const auto& e : it->second) {
        if (r.label >= 0 && e.label >= 0 && e.label != r.label) continue;
        if (seen++ == r.sample) {
          g.text = e.text;
          found = true;
          break;
        }
      }
    }
    if (!found) {
      g.finish = Finish::kError;
      g.error = "not_in_import: no explanation for this instance" + std::string(r.label >= 0 ? " and label" : "") +
                " in " + options_.path;
      stats_.add("error.not_in_import");
    }
  }
  stats_.add("requests", static_cast<int64_t>(requests.size()));
  return out;
}

std::vector<ScoreResult> ImportBackend::score_choices(const std::vector<ScoreRequest>&, const std::vector<std::string>&) {
  throw BackendError("the import backend has no label scores; use --judge.backend=torch or openai");
}

}  // namespace because::generate
