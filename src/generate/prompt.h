// Prompt templates read from files (jobs/prompts/*.txt): sections of text with {{name}}
// placeholders for the instance fields, the label word, few-shot examples and explanations.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace because::generate {

/// Placeholder values by name.
using Vars = std::map<std::string, std::string>;

/// Replaces every {{name}} in `text` with vars[name]. An unknown name throws ConfigError naming
/// `where` (the template) and the placeholder. `{{{{` is not special: names are [a-z0-9_].
std::string substitute(const std::string& text, const Vars& vars, const std::string& where);

/// Names of the placeholders used in `text`, in order of first use.
std::vector<std::string> placeholders(const std::string& text);

/// A prompt template file. Format (one section header per line, text below it):
///   # comment lines before the first section
///   [meta]            key: value lines (name, kind = explain|judge, chat = auto|yes|no,
///                     example_separator, comment_format, comment_separator, option_format,
///                     option_separator; values understand \n, \t, \s (space), \\)
///   [labels]          label: word   (e.g. `entailment: true`; {{label_word}} renders it)
///   [system]          system message (chat models) or preamble
///   [example]         key: value lines of one few-shot example (repeatable)
///   [example_format]  how one example is written ({{text_a}}, {{label_word}}, {{explanation}}, ...)
///   [prompt]          the prompt itself
/// Section bodies keep their text verbatim except leading and trailing blank lines.
class PromptTemplate {
 public:
  static PromptTemplate load(const std::string& path);
  static PromptTemplate parse(const std::string& text, const std::string& name);

  const std::string& name() const { return name_; }
  /// xxh64 hex of the file's text (provenance).
  const std::string& hash() const { return hash_; }
  /// explain (default) or judge.
  const std::string& kind() const { return kind_; }
  /// auto (apply the tokenizer's chat template when it has one), yes, no.
  const std::string& chat() const { return chat_; }
  const std::string& system() const { return system_; }
  const std::string& body() const { return prompt_; }
  /// Word used for `label` in prompts ([labels] mapping; the label itself when unmapped).
  std::string label_word(const std::string& label) const;
  /// A [meta] value or `fallback`.
  std::string meta(const std::string& key, const std::string& fallback) const;
  size_t n_examples() const { return examples_.size(); }

  /// Renders the prompt. `vars` holds the instance fields; {{examples}} is filled from the
  /// [example] sections unless `vars` sets it. Unknown placeholders throw ConfigError.
  std::string render(const Vars& vars) const;
  /// Renders the system text with the same variables ("" when there is none).
  std::string render_system(const Vars& vars) const;

 private:
  std::string render_examples() const;
  std::string name_, hash_, kind_ = "explain", chat_ = "auto";
  std::string system_, prompt_, example_format_;
  std::map<std::string, std::string> meta_, labels_;
  std::vector<Vars> examples_;
};

}  // namespace because::generate
