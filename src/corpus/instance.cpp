// Label sets.
#include "corpus/instance.h"

#include "util/error.h"

namespace because::corpus {

int LabelSet::find(std::string_view label) const {
  for (size_t i = 0; i < labels.size(); ++i)
    if (labels[i] == label) return static_cast<int>(i);
  return -1;
}

const LabelSet& nli_labels() {
  static const LabelSet s{"nli", {"entailment", "neutral", "contradiction"}};
  return s;
}
const LabelSet& emotion_labels() {
  static const LabelSet s{"emotion", {"sadness", "joy", "love", "anger", "fear", "surprise"}};
  return s;
}
const LabelSet& healthfc_labels() {
  static const LabelSet s{"healthfc", {"supported", "not enough information", "refuted"}};
  return s;
}
const LabelSet& label_set(const std::string& name) {
  if (name == "nli") return nli_labels();
  if (name == "emotion") return emotion_labels();
  if (name == "healthfc") return healthfc_labels();
  throw ConfigError("unknown label set '" + name + "' (known: nli, emotion, healthfc)");
}

}  // namespace because::corpus
