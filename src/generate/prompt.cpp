// Prompt template parsing and rendering.
#include "generate/prompt.h"

#include <cctype>
#include <sstream>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"

namespace because::generate {
namespace {

bool is_name_char(char c) { return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '_'; }

std::string trim(const std::string& s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

// Drops leading and trailing blank lines, keeps everything else verbatim.
std::string trim_blank_lines(const std::vector<std::string>& lines) {
  size_t a = 0, b = lines.size();
  while (a < b && trim(lines[a]).empty()) ++a;
  while (b > a && trim(lines[b - 1]).empty()) --b;
  std::string out;
  for (size_t i = a; i < b; ++i) out += (i > a ? "\n" : "") + lines[i];
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      const char c = s[++i];
      out += c == 'n' ? '\n' : c == 't' ? '\t' : c == 's' ? ' ' : c;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Parses `key: value` lines of a section into `out`.
void parse_pairs(const std::vector<std::string>& lines, const std::string& where, int first_line,
                 std::map<std::string, std::string>& out, bool escapes) {
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string t = trim(lines[i]);
    if (t.empty() || t[0] == '#') continue;
    const auto colon = lines[i].find(':');
    if (colon == std::string::npos)
      throw ConfigError(where + ":" + std::to_string(first_line + static_cast<int>(i)) +
                        ": expected 'key: value', got '" + t + "'");
    const std::string key = trim(lines[i].substr(0, colon));
    std::string value = lines[i].substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    // Trailing whitespace is dropped (editors strip it); write \s to keep a space.
    while (!value.empty() && std::isspace(static_cast<unsigned char>(value.back()))) value.pop_back();
    out[key] = escapes ? unescape(value) : value;
  }
}

}  // namespace

std::vector<std::string> placeholders(const std::string& text) {
  std::vector<std::string> names;
  for (size_t i = 0; i + 1 < text.size(); ++i) {
    if (text[i] != '{' || text[i + 1] != '{') continue;
    size_t j = i + 2;
    while (j < text.size() && is_name_char(text[j])) ++j;
    if (j > i + 2 && j + 1 < text.size() && text[j] == '}' && text[j + 1] == '}') {
      std::string n = text.substr(i + 2, j - i - 2);
      bool seen = false;
      for (const auto& m : names) seen |= (m == n);
      if (!seen) names.push_back(n);
      i = j + 1;
    }
  }
  return names;
}

std::string substitute(const std::string& text, const Vars& vars, const std::string& where) {
  std::string out;
  out.reserve(text.size() + 256);
  size_t i = 0;
  while (i < text.size()) {
    if (i + 1 < text.size() && text[i] == '{' && text[i + 1] == '{') {
      size_t j = i + 2;
      while (j < text.size() && is_name_char(text[j])) ++j;
      if (j > i + 2 && j + 1 < text.size() && text[j] == '}' && text[j + 1] == '}') {
        const std::string n = text.substr(i + 2, j - i - 2);
        const auto it = vars.find(n);
        if (it == vars.end())
          throw ConfigError("prompt template " + where + ": unknown placeholder {{" + n +
                            "}} (known here: text_a, text_b, premise, hypothesis, label, label_word, examples, ...)");
        out += it->second;
        i = j + 2;
        continue;
      }
    }
    out += text[i++];
  }
  return out;
}

PromptTemplate PromptTemplate::load(const std::string& path) {
  const std::string text = files::read_text(path);
  return parse(text, path);
}

PromptTemplate PromptTemplate::parse(const std::string& text, const std::string& name) {
  PromptTemplate t;
  t.name_ = name;
  const auto slash = name.find_last_of('/');
  std::string stem = slash == std::string::npos ? name : name.substr(slash + 1);
  if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, ".txt") == 0) stem.resize(stem.size() - 4);
  t.hash_ = hash::hex64(hash::xxh64(text));

  std::vector<std::string> lines;
  {
    std::istringstream is(text);
    std::string line;
    while (std::getline(is, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(line);
    }
  }
  static const char* kSections[] = {"meta", "labels", "system", "example", "example_format", "prompt"};
  std::string section;
  std::vector<std::string> body;
  int body_line = 1;
  bool have_prompt = false;
  auto flush = [&]() {
    if (section.empty()) return;
    if (section == "meta") {
      parse_pairs(body, name, body_line, t.meta_, true);
    } else if (section == "labels") {
      parse_pairs(body, name, body_line, t.labels_, false);
    } else if (section == "example") {
      std::map<std::string, std::string> ex;
      parse_pairs(body, name, body_line, ex, true);
      t.examples_.push_back(Vars(ex.begin(), ex.end()));
    } else if (section == "system") {
      t.system_ = trim_blank_lines(body);
    } else if (section == "example_format") {
      t.example_format_ = trim_blank_lines(body);
    } else if (section == "prompt") {
      t.prompt_ = trim_blank_lines(body);
      have_prompt = true;
    }
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string tl = trim(lines[i]);
    if (tl.size() > 2 && tl.front() == '[' && tl.back() == ']' && tl.find(' ') == std::string::npos) {
      const std::string s = tl.substr(1, tl.size() - 2);
      bool known = false;
      for (const char* k : kSections) known |= (s == k);
      if (!known)
        throw ConfigError(name + ":" + std::to_string(i + 1) + ": unknown section [" + s +
                          "] (sections: meta, labels, system, example, example_format, prompt)");
      flush();
      section = s;
      body.clear();
      body_line = static_cast<int>(i) + 2;
      continue;
    }
    if (section.empty()) {
      if (!tl.empty() && tl[0] != '#')
        throw ConfigError(name + ":" + std::to_string(i + 1) + ": text before the first section (start with [prompt])");
      continue;
    }
    body.push_back(lines[i]);
  }
  flush();
  if (!have_prompt || t.prompt_.empty()) throw ConfigError(name + ": prompt template has no [prompt] section");
  t.name_ = t.meta("name", stem);
  t.kind_ = t.meta("kind", "explain");
  t.chat_ = t.meta("chat", "auto");
  if (t.kind_ != "explain" && t.kind_ != "judge")
    throw ConfigError(name + ": [meta] kind must be explain or judge, got '" + t.kind_ + "'");
  if (t.chat_ != "auto" && t.chat_ != "yes" && t.chat_ != "no")
    throw ConfigError(name + ": [meta] chat must be auto, yes or no, got '" + t.chat_ + "'");
  if (!t.examples_.empty() && t.example_format_.empty())
    throw ConfigError(name + ": [example] sections need an [example_format] section");
  // Examples must render with their own fields (plus label_word).
  for (size_t i = 0; i < t.examples_.size(); ++i) {
    Vars v = t.examples_[i];
    if (v.count("label")) v["label_word"] = t.label_word(v["label"]);
    for (const auto& p : placeholders(t.example_format_))
      if (!v.count(p))
        throw ConfigError(name + ": example " + std::to_string(i + 1) + " lacks '" + p +
                          "', which [example_format] uses");
  }
  return t;
}

std::string PromptTemplate::label_word(const std::string& label) const {
  const auto it = labels_.find(label);
  return it == labels_.end() ? label : it->second;
}

std::string PromptTemplate::meta(const std::string& key, const std::string& fallback) const {
  const auto it = meta_.find(key);
  return it == meta_.end() ? fallback : it->second;
}

std::string PromptTemplate::render_examples() const {
  const std::string sep = meta("example_separator", "\n\n");
  std::string out;
  for (size_t i = 0; i < examples_.size(); ++i) {
    Vars v = examples_[i];
    if (v.count("label")) v["label_word"] = label_word(v["label"]);
    v["index"] = std::to_string(i + 1);
    out += (i ? sep : "") + substitute(example_format_, v, name_ + " [example_format]");
  }
  return out;
}

std::string PromptTemplate::render(const Vars& vars) const {
  Vars v = vars;
  if (!v.count("examples")) v["examples"] = render_examples();
  if (v.count("label") && !v.count("label_word")) v["label_word"] = label_word(v["label"]);
  return substitute(prompt_, v, name_);
}

std::string PromptTemplate::render_system(const Vars& vars) const {
  if (system_.empty()) return "";
  Vars v = vars;
  if (!v.count("examples")) v["examples"] = render_examples();
  if (v.count("label") && !v.count("label_word")) v["label_word"] = label_word(v["label"]);
  return substitute(system_, v, name_ + " [system]");
}

}  // namespace because::generate
