// Prompt template rendering for decoder training (see prompt.h).
#include "train/prompt.h"

#include <sstream>

#include "util/error.h"
#include "util/files.h"

namespace because::train {
namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size()) s.replace(pos, from.size(), to);
}

}  // namespace

PromptTemplate PromptTemplate::load(const std::string& path) {
  if (!files::exists(path)) throw ConfigError("train.prompt: prompt template '" + path + "' not found");
  std::istringstream in(files::read_text(path));
  PromptTemplate t;
  t.path = path;
  std::string line, section;
  bool seen_prompt = false;
  while (std::getline(in, line)) {
    const std::string tl = trim(line);
    if (section.empty() && (tl.empty() || tl[0] == '#')) continue;
    if (tl.size() > 2 && tl.front() == '[' && tl.back() == ']' && tl.find(' ') == std::string::npos) {
      section = tl.substr(1, tl.size() - 2);
      seen_prompt |= section == "prompt";
      continue;
    }
    if (section == "prompt") {
      t.text += line + "\n";
    } else if (section == "labels" && !tl.empty()) {
      const auto colon = tl.find(':');
      if (colon != std::string::npos) t.label_words[trim(tl.substr(0, colon))] = trim(tl.substr(colon + 1));
    }
  }
  if (!seen_prompt) throw ConfigError(path + ": prompt template has no [prompt] section");
  while (!t.text.empty() && (t.text.back() == '\n' || t.text.back() == '\r')) t.text.pop_back();
  if (t.text.find("{{examples}}") != std::string::npos)
    throw ConfigError(path + ": not implemented: few-shot templates ({{examples}}) for explainer training; use a zero-shot template");
  return t;
}

std::string PromptTemplate::render(const corpus::Instance& inst, const std::string& label) const {
  std::string s = text;
  for (const char* k : {"{{premise}}", "{{text_a}}", "{{text}}", "{{claim}}"}) replace_all(s, k, inst.text_a);
  for (const char* k : {"{{hypothesis}}", "{{text_b}}", "{{evidence}}"}) replace_all(s, k, inst.text_b);
  auto w = label_words.find(label);
  replace_all(s, "{{label_word}}", w == label_words.end() ? label : w->second);
  replace_all(s, "{{label}}", label);
  const auto open = s.find("{{");
  if (open != std::string::npos)
    throw ConfigError(path + ": placeholder '" + s.substr(open, s.find("}}", open) + 2 - open) +
                      "' is not supported for training");
  return s;
}

}  // namespace because::train
