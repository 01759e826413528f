// Classifier input encoding (see inputs.h).
#include "train/inputs.h"

#include <algorithm>

#include "util/error.h"

namespace because::train {

std::string explanation_text(const std::vector<ExplanationText>& expl, const std::string& select,
                             const std::vector<std::string>& labels) {
  if (expl.empty()) return "";
  if (select == "first") return expl.front().text;
  if (select == "all") {
    std::string s;
    for (const auto& e : expl) s += (s.empty() ? "" : " ") + e.text;
    return s;
  }
  if (select == "per_label") {
    std::string s;
    for (int l = 0; l < static_cast<int>(labels.size()); ++l) {
      for (const auto& e : expl) {
        if (e.label != l) continue;
        s += (s.empty() ? "" : " ") + labels[static_cast<size_t>(l)] + ": " + e.text;
        break;
      }
    }
    if (s.empty()) s = expl.front().text;  // label-free explanations only
    return s;
  }
  throw ConfigError("train.explanation_select: unknown value '" + select + "' (use first, all or per_label)");
}

std::pair<int32_t, int32_t> cls_sep_ids(const text::Tokenizer& tok) {
  const auto& sp = tok.special();
  const int32_t cls = sp.cls >= 0 ? sp.cls : sp.bos;
  const int32_t sep = sp.sep >= 0 ? sp.sep : sp.eos;
  if (cls < 0 || sep < 0) throw ModelError("tokenizer has no [CLS]/[SEP] (or BOS/EOS) tokens for classifier inputs");
  return {cls, sep};
}

int32_t pad_id(const text::Tokenizer& tok) {
  const auto& sp = tok.special();
  if (sp.pad >= 0) return sp.pad;
  if (sp.eos >= 0) return sp.eos;
  return 0;
}

EncodedInput encode_input(const text::Tokenizer& tok, const std::string& a, const std::string& b,
                          const std::string& expl, const InputSettings& s) {
  if (s.format != "sep" && s.format != "pair")
    throw ConfigError("train.explanation_format: unknown value '" + s.format + "' (use sep or pair)");
  const auto [cls, sep] = cls_sep_ids(tok);
  std::vector<std::vector<int32_t>> parts;  // A, B, E (possibly empty)
  parts.push_back(tok.encode(a, false));
  parts.push_back(b.empty() ? std::vector<int32_t>{} : tok.encode(b, false));
  parts.push_back(expl.empty() ? std::vector<int32_t>{} : tok.encode(expl, false));
  // Specials: [CLS] + one [SEP] after each non-empty segment boundary.
  auto n_specials = [&] {
    if (s.format == "pair") return 1 + 1 + (parts[2].empty() ? 0 : 1);
    int n = 2;  // [CLS] A [SEP]
    if (!parts[1].empty()) ++n;
    if (!parts[2].empty()) ++n;
    return n;
  };
  // The budget is re-evaluated per step: emptying a segment also drops its [SEP].
  auto budget = [&] { return std::max(0, s.max_length - n_specials()); };
  auto total = [&] { return parts[0].size() + parts[1].size() + parts[2].size(); };
  while (static_cast<int>(total()) > budget()) {
    size_t victim;
    if (s.truncation == "only_first") {
      victim = 0;
      if (parts[0].empty()) victim = parts[2].size() >= parts[1].size() ? 2 : 1;
    } else if (s.truncation == "only_second") {
      victim = !parts[2].empty() ? 2 : (!parts[1].empty() ? 1 : 0);
    } else if (s.truncation == "longest_first") {
      victim = 0;
      for (size_t k = 1; k < 3; ++k)
        if (parts[k].size() > parts[victim].size()) victim = k;
    } else {
      throw ConfigError("train.truncation: unknown value '" + s.truncation + "' (use longest_first, only_first, only_second)");
    }
    parts[victim].pop_back();
  }
  EncodedInput out;
  auto push = [&](const std::vector<int32_t>& ids, int32_t type) {
    for (auto id : ids) {
      out.ids.push_back(id);
      out.types.push_back(type);
    }
  };
  push({cls}, 0);
  push(parts[0], 0);
  if (s.format == "pair") {
    push(parts[1], 0);
    push({sep}, 0);
    if (!parts[2].empty()) {
      push(parts[2], 1);
      push({sep}, 1);
    }
  } else {
    push({sep}, 0);
    if (!parts[1].empty()) {
      push(parts[1], 1);
      push({sep}, 1);
    }
    if (!parts[2].empty()) {
      push(parts[2], 1);
      push({sep}, 1);
    }
  }
  return out;
}

PaddedBatch pad_batch(const std::vector<EncodedInput>& rows, int32_t pad) {
  int64_t T = 1;
  for (const auto& r : rows) T = std::max<int64_t>(T, static_cast<int64_t>(r.ids.size()));
  const int64_t B = static_cast<int64_t>(rows.size());
  PaddedBatch pb;
  pb.ids = torch::full({B, T}, pad, torch::kLong);
  pb.mask = torch::zeros({B, T}, torch::kLong);
  pb.types = torch::zeros({B, T}, torch::kLong);
  auto ids = pb.ids.accessor<int64_t, 2>();
  auto mask = pb.mask.accessor<int64_t, 2>();
  auto types = pb.types.accessor<int64_t, 2>();
  for (int64_t i = 0; i < B; ++i) {
    const auto& r = rows[static_cast<size_t>(i)];
    for (size_t t = 0; t < r.ids.size(); ++t) {
      ids[i][static_cast<int64_t>(t)] = r.ids[t];
      mask[i][static_cast<int64_t>(t)] = 1;
      types[i][static_cast<int64_t>(t)] = r.types[t];
    }
    pb.n_tokens += static_cast<int64_t>(r.ids.size());
  }
  return pb;
}

}  // namespace because::train
