// The [prompt] section of a prompt template file (jobs/prompts/*.txt) rendered for one instance:
// {{premise}}/{{text_a}}/{{text}}/{{claim}}, {{hypothesis}}/{{text_b}}/{{evidence}}, {{label}} and
// {{label_word}} (from the [labels] section). The explainer is trained on exactly the text
// `because explain` sends for the same instance and label.
#pragma once

#include <map>
#include <string>

#include "corpus/instance.h"

namespace because::train {

struct PromptTemplate {
  std::string path;
  std::string text;                                ///< the [prompt] section (trailing blank lines removed)
  std::map<std::string, std::string> label_words;  ///< [labels]: label name -> word

  /// Reads a template file; throws ConfigError naming the file (missing, no [prompt], or a
  /// few-shot template with {{examples}}, which explainer training does not support).
  static PromptTemplate load(const std::string& path);
  /// Renders for an instance and a label name ("" : no label placeholder allowed).
  std::string render(const corpus::Instance& inst, const std::string& label) const;
};

}  // namespace because::train
