// Decoder training tasks (see decoder_tasks.h).
#include "train/decoder_tasks.h"

#include <algorithm>
#include <cctype>
#include <cmath>

#include "metrics/classification.h"
#include "model/weights.h"
#include "text/tokenizer.h"
#include "generate/prompt.h"
#include "generate/requests.h"
#include "util/error.h"
#include "util/files.h"

namespace because::train {
namespace {

namespace F = torch::nn::functional;

struct LmExample {
  int64_t instance = -1;
  std::vector<int32_t> prompt;  ///< BOS + prompt
  std::vector<int32_t> target;  ///< target + EOS
};

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Base of both decoder tasks: the model, LM examples per split, loss and greedy generation.
class DecoderTask : public GenerativeTask {
 public:
  DecoderTask(const config::TrainConfig& cfg, const TrainData& data, const std::string& tokenizer_dir, uint64_t seed)
      : cfg_(cfg), data_(data), tokenizer_dir_(tokenizer_dir) {
    tok_ = text::Tokenizer::load(tokenizer_dir);
    if (tok_->special().eos < 0) throw ModelError(tokenizer_dir + ": tokenizer has no EOS token, which decoder training needs");
    torch::manual_seed(seed);
    if (!cfg.init.empty()) {
      model_ = model::load_decoder(cfg.init);
    } else {
      model::DecoderConfig c;
      c.vocab_size = tok_->vocab_size();
      c.hidden_size = cfg.hidden_size;
      c.n_layers = cfg.n_layers;
      c.n_heads = cfg.n_heads;
      c.n_kv_heads = cfg.n_heads;
      c.head_dim = cfg.hidden_size / cfg.n_heads;
      c.intermediate_size = cfg.intermediate_size > 0 ? cfg.intermediate_size : ((cfg.hidden_size * 8 / 3 + 7) / 8) * 8;
      c.max_position_embeddings = std::max<int64_t>(512, cfg.max_length + cfg.max_new_tokens);
      c.rms_norm_eps = 1e-5;
      c.tie_word_embeddings = true;
      c.bos_token_id = tok_->special().bos;
      c.eos_token_ids = {tok_->special().eos};
      c.pad_token_id = tok_->special().pad;
      if (cfg.hidden_size % cfg.n_heads != 0) throw ConfigError("train.hidden_size must be a multiple of train.n_heads");
      model_ = model::Decoder(c);
    }
  }

  NamedTensors named_parameters() override {
    NamedTensors out;
    for (auto& p : model_->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }
  NamedTensors named_state() override {
    NamedTensors out = named_parameters();
    for (auto& b : model_->named_buffers()) out.emplace_back(b.key(), b.value());
    return out;
  }
  void set_training(bool on) override { model_->train(on); }
  void to_device(const torch::Device& device) override {
    model_->to(device);
    device_ = device;
  }
  int64_t n_train() const override { return static_cast<int64_t>(train_.size()); }
  std::vector<std::string> eval_splits() const override { return cfg_.eval_splits.items; }
  int64_t n_eval(const std::string& split) const override { return static_cast<int64_t>(eval_.at(split).size()); }

  LossSum loss(const std::vector<int64_t>& rows) override {
    std::vector<const LmExample*> ex;
    for (auto r : rows) ex.push_back(&train_[static_cast<size_t>(r)]);
    return lm_loss(ex);
  }

  void save_model(const std::string& dir) override {
    model::save_decoder(model_, dir);
    model::copy_tokenizer_files(tokenizer_dir_, dir);
  }

  std::vector<std::string> generate(const std::string& split, const std::vector<int64_t>& rows) override {
    std::vector<std::vector<int32_t>> prompts;
    for (auto r : rows) prompts.push_back(eval_.at(split)[static_cast<size_t>(r)].prompt);
    std::vector<std::string> out;
    const size_t step = 16;
    for (size_t k = 0; k < prompts.size(); k += step) {
      std::vector<std::vector<int32_t>> part(prompts.begin() + static_cast<int64_t>(k),
                                             prompts.begin() + static_cast<int64_t>(std::min(prompts.size(), k + step)));
      for (auto& ids : greedy(part)) out.push_back(tok_->decode(ids, true));
    }
    return out;
  }
  std::string prompt_of(const std::string& split, int64_t row) const override {
    return tok_->decode(eval_.at(split)[static_cast<size_t>(row)].prompt, true);
  }

 protected:
  // BOS + prompt, target + EOS; too long: the prompt loses tokens after BOS, then the target its end.
  LmExample make_example(int64_t instance, const std::string& prompt, const std::string& target) const {
    LmExample e;
    e.instance = instance;
    e.prompt = tok_->encode(prompt, true);
    e.target = tok_->encode(target, false);
    e.target.push_back(tok_->special().eos);
    const size_t max_len = static_cast<size_t>(std::max(8, cfg_.max_length));
    if (e.target.size() > max_len / 2 && e.prompt.size() + e.target.size() > max_len)
      e.target.resize(std::max(max_len / 2, max_len - std::min(e.prompt.size(), max_len / 2)));
    if (e.prompt.size() + e.target.size() > max_len) {
      const size_t keep = max_len - e.target.size();
      const size_t head = (!e.prompt.empty() && e.prompt.front() == tok_->special().bos) ? 1 : 0;
      std::vector<int32_t> p(e.prompt.begin(), e.prompt.begin() + static_cast<int64_t>(head));
      p.insert(p.end(), e.prompt.end() - static_cast<int64_t>(keep - head), e.prompt.end());
      e.prompt = std::move(p);
    }
    return e;
  }

  LossSum lm_loss(const std::vector<const LmExample*>& ex) {
    LossSum out;
    if (ex.empty()) return out;
    int64_t T = 1;
    for (auto* e : ex) T = std::max<int64_t>(T, static_cast<int64_t>(e->prompt.size() + e->target.size()));
    const int64_t B = static_cast<int64_t>(ex.size());
    const int32_t pad = tok_->special().pad >= 0 ? tok_->special().pad : tok_->special().eos;
    auto ids = torch::full({B, T}, pad, torch::kLong);
    auto mask = torch::zeros({B, T}, torch::kLong);
    auto labels = torch::full({B, T}, -100, torch::kLong);  // label of position t = token t+1
    auto a_ids = ids.accessor<int64_t, 2>();
    auto a_mask = mask.accessor<int64_t, 2>();
    auto a_lab = labels.accessor<int64_t, 2>();
    for (int64_t i = 0; i < B; ++i) {
      std::vector<int32_t> seq = ex[static_cast<size_t>(i)]->prompt;
      const int64_t p = static_cast<int64_t>(seq.size());
      seq.insert(seq.end(), ex[static_cast<size_t>(i)]->target.begin(), ex[static_cast<size_t>(i)]->target.end());
      for (int64_t t = 0; t < static_cast<int64_t>(seq.size()); ++t) {
        a_ids[i][t] = seq[static_cast<size_t>(t)];
        a_mask[i][t] = 1;
        if (t >= p) a_lab[i][t - 1] = seq[static_cast<size_t>(t)];
      }
      out.count += static_cast<int64_t>(seq.size()) - p;
      out.tokens += static_cast<int64_t>(seq.size());
    }
    auto logits = model_->forward(ids.to(device_), mask.to(device_)).to(torch::kFloat);
    out.sum = F::cross_entropy(logits.reshape({B * T, -1}), labels.to(device_).reshape({B * T}),
                               F::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(-100));
    return out;
  }

  EvalPart eval_loss(const std::string& split, const std::vector<int64_t>& rows) {
    EvalPart part;
    torch::NoGradGuard no_grad;
    const auto& all = eval_.at(split);
    for (size_t k = 0; k < rows.size(); k += 16) {
      std::vector<const LmExample*> ex;
      for (size_t j = k; j < std::min(rows.size(), k + 16); ++j) {
        const auto& e = all[static_cast<size_t>(rows[j])];
        if (!e.target.empty()) ex.push_back(&e);
      }
      auto ls = lm_loss(ex);
      if (ls.count > 0) {
        part.loss_sum += ls.sum.item<double>();
        part.loss_count += ls.count;
      }
    }
    return part;
  }

  // Greedy decoding of left-padded prompts with the KV cache; returns generated ids (no EOS).
  std::vector<std::vector<int32_t>> greedy(const std::vector<std::vector<int32_t>>& prompts) {
    torch::NoGradGuard no_grad;
    const bool was_training = model_->is_training();
    model_->eval();
    const int64_t B = static_cast<int64_t>(prompts.size());
    int64_t T = 1;
    for (const auto& p : prompts) T = std::max<int64_t>(T, static_cast<int64_t>(p.size()));
    const int32_t pad = tok_->special().pad >= 0 ? tok_->special().pad : tok_->special().eos;
    auto ids = torch::full({B, T}, pad, torch::kLong);
    auto mask = torch::zeros({B, T}, torch::kLong);
    for (int64_t i = 0; i < B; ++i) {
      const auto& p = prompts[static_cast<size_t>(i)];
      const int64_t off = T - static_cast<int64_t>(p.size());
      for (size_t t = 0; t < p.size(); ++t) {
        ids[i][off + static_cast<int64_t>(t)] = p[t];
        mask[i][off + static_cast<int64_t>(t)] = 1;
      }
    }
    const int64_t max_new = std::min<int64_t>(cfg_.max_new_tokens, model_->config().max_position_embeddings - T);
    auto cache = model_->new_cache(B, T + std::max<int64_t>(max_new, 1));
    auto logits = model_->forward_cached(ids.to(device_), mask.to(device_), cache, true);
    std::vector<std::vector<int32_t>> out(static_cast<size_t>(B));
    std::vector<bool> done(static_cast<size_t>(B), false);
    const auto& stop = tok_->special().stop;
    for (int64_t s = 0; s < max_new; ++s) {
      auto next = logits.select(1, logits.size(1) - 1).argmax(-1).to(torch::kLong);
      const auto next_cpu = next.to(torch::kCPU);
      auto acc = next_cpu.accessor<int64_t, 1>();
      bool all_done = true;
      for (int64_t i = 0; i < B; ++i) {
        if (done[static_cast<size_t>(i)]) continue;
        const auto id = static_cast<int32_t>(acc[i]);
        if (id == tok_->special().eos || std::find(stop.begin(), stop.end(), id) != stop.end()) {
          done[static_cast<size_t>(i)] = true;
          continue;
        }
        out[static_cast<size_t>(i)].push_back(id);
        all_done = false;
      }
      if (all_done || s + 1 == max_new) break;
      logits = model_->forward_cached(next.view({B, 1}), torch::ones({B, 1}, next.options()), cache, true);
    }
    model_->train(was_training);
    return out;
  }

  const config::TrainConfig& cfg_;
  const TrainData& data_;
  std::string tokenizer_dir_;
  std::unique_ptr<text::Tokenizer> tok_;
  model::Decoder model_{nullptr};
  torch::Device device_{torch::kCPU};
  std::vector<LmExample> train_;
  std::map<std::string, std::vector<LmExample>> eval_;
};

class ExplainerTask : public DecoderTask {
 public:
  ExplainerTask(const config::TrainConfig& cfg, const TrainData& data, const std::string& tokenizer_dir, uint64_t seed)
      : DecoderTask(cfg, data, tokenizer_dir, seed), prompt_(load_prompt(cfg.prompt)) {
    train_ = examples(data.rows(cfg.train_split), true);
    if (train_.empty())
      throw InputError("explainer: no training rows of split '" + cfg.train_split + "' have a labelled explanation (train.explanations = " +
                       cfg.explanations + ")");
    for (const auto& s : cfg.eval_splits.items) eval_[s] = examples(data.rows(s), false);
  }
  EvalPart evaluate(const std::string& split, const std::vector<int64_t>& rows) override { return eval_loss(split, rows); }
  nlohmann::json score(const std::string&, const torch::Tensor&, double mean_loss) override {
    return {{"loss", mean_loss}, {"perplexity", std::exp(std::min(50.0, mean_loss))}};
  }

 private:
  // Training: one example per (instance, explanation); evaluation: the first explanation (or
  // the gold-label prompt without a target, for generation only).
  std::vector<LmExample> examples(const std::vector<int64_t>& rows, bool all) {
    std::vector<LmExample> out;
    for (auto r : rows) {
      const auto& inst = data_.instances[static_cast<size_t>(r)];
      const auto& ex = data_.explanations[static_cast<size_t>(r)];
      bool any = false;
      for (const auto& e : ex) {
        const int label = e.label >= 0 ? e.label : inst.gold;
        if (label < 0 || e.text.empty()) continue;
        out.push_back(make_example(r, render(inst, label), " " + e.text));
        any = true;
        if (!all) break;
      }
      if (!any && !all && inst.gold >= 0) {
        auto e = make_example(r, render(inst, inst.gold), "");
        e.target.clear();
        out.push_back(std::move(e));
      }
    }
    return out;
  }
  static generate::PromptTemplate load_prompt(const std::string& path) {
    if (!files::exists(path)) throw ConfigError("train.prompt: prompt template '" + path + "' not found");
    return generate::PromptTemplate::load(path);
  }
  // Exactly the text `because explain` sends a model without a chat template for (item, label).
  std::string render(const corpus::Instance& inst, int label) const {
    auto v = generate::instance_vars(inst);
    const auto& name = data_.labels[static_cast<size_t>(label)];
    v["label"] = name;
    v["label_word"] = prompt_.label_word(name);
    const std::string system = prompt_.render_system(v);
    const std::string prompt = prompt_.render(v);
    return system.empty() ? prompt : system + "\n\n" + prompt;
  }
  generate::PromptTemplate prompt_;
};

class ReasoningTask : public DecoderTask {
 public:
  ReasoningTask(const config::TrainConfig& cfg, const TrainData& data, const std::string& tokenizer_dir, uint64_t seed)
      : DecoderTask(cfg, data, tokenizer_dir, seed) {
    if (cfg.reasoning && cfg.explanations == "none")
      throw ConfigError("train.task = reasoning with train.reasoning = true needs train.explanations (human or a source) for R");
    train_ = examples(data.rows(cfg.train_split), true);
    if (train_.empty()) throw InputError("reasoning: no usable training rows in split '" + cfg.train_split + "'");
    for (const auto& s : cfg.eval_splits.items) eval_[s] = examples(data.rows(s), false);
  }
  EvalPart evaluate(const std::string& split, const std::vector<int64_t>& rows) override {
    EvalPart part = eval_loss(split, rows);
    const int64_t L = static_cast<int64_t>(data_.labels.size());
    part.probs = torch::zeros({static_cast<int64_t>(rows.size()), L});
    const auto texts = generate(split, rows);
    for (size_t i = 0; i < texts.size(); ++i) {
      const int l = parse_label(texts[i], data_.labels);
      if (l >= 0) part.probs[static_cast<int64_t>(i)][l] = 1.0f;
    }
    return part;
  }
  nlohmann::json score(const std::string& split, const torch::Tensor& probs, double mean_loss) override {
    const auto& ex = eval_.at(split);
    const int L = static_cast<int>(data_.labels.size());
    metrics::ClassificationState st(L);
    int64_t parsed = 0;
    for (size_t i = 0; i < ex.size(); ++i) {
      const int gold = data_.instances[static_cast<size_t>(ex[i].instance)].gold;
      const bool ok = probs[static_cast<int64_t>(i)].sum().item<float>() > 0.5f;
      parsed += ok;
      if (gold < 0) continue;
      // An unparsable answer counts as wrong: it is scored as the next label after gold.
      const int pred = ok ? static_cast<int>(probs[static_cast<int64_t>(i)].argmax().item<int64_t>()) : (gold + 1) % L;
      st.add(gold, pred);
    }
    const auto rep = st.value();
    return {{"accuracy", rep.accuracy}, {"macro_f1", rep.macro_f1}, {"weighted_f1", rep.weighted_f1},
            {"parsed", ex.empty() ? 0.0 : static_cast<double>(parsed) / static_cast<double>(ex.size())},
            {"loss", mean_loss}, {"n", rep.n}};
  }

 private:
  std::string prompt(const corpus::Instance& inst) const {
    std::string p = inst.text_b.empty() ? "Text: " + inst.text_a + "\n"
                                        : "Premise: " + inst.text_a + "\nHypothesis: " + inst.text_b + "\n";
    return p;
  }
  std::vector<LmExample> examples(const std::vector<int64_t>& rows, bool training) {
    std::vector<LmExample> out;
    for (auto r : rows) {
      const auto& inst = data_.instances[static_cast<size_t>(r)];
      std::string target;
      if (inst.gold >= 0) {
        const std::string label = "Label: " + data_.labels[static_cast<size_t>(inst.gold)];
        if (cfg_.reasoning) {
          const auto& ex = data_.explanations[static_cast<size_t>(r)];
          std::string why;
          for (const auto& e : ex)
            if (e.label < 0 || e.label == inst.gold) {
              why = e.text;
              break;
            }
          if (!why.empty()) target = "Reasoning: " + why + "\n" + label;
        } else {
          target = label;
        }
      }
      if (target.empty() && training) continue;
      auto e = make_example(r, prompt(inst), target);
      if (target.empty()) e.target.clear();
      out.push_back(std::move(e));
    }
    return out;
  }
};

}  // namespace

int parse_label(const std::string& generated, const std::vector<std::string>& labels) {
  const std::string g = lower(generated);
  const auto pos = g.rfind("label:");
  if (pos == std::string::npos) return -1;
  std::string rest = g.substr(pos + 6);
  const auto b = rest.find_first_not_of(" \t\n");
  if (b == std::string::npos) return -1;
  rest = rest.substr(b);
  int best = -1;
  size_t best_len = 0;
  for (size_t l = 0; l < labels.size(); ++l) {
    const std::string name = lower(labels[l]);
    if (rest.compare(0, name.size(), name) == 0 && name.size() > best_len) {
      best = static_cast<int>(l);
      best_len = name.size();
    }
  }
  return best;
}

std::unique_ptr<GenerativeTask> make_explainer(const config::TrainConfig& cfg, const TrainData& data,
                                               const std::string& tokenizer_dir, uint64_t seed) {
  return std::make_unique<ExplainerTask>(cfg, data, tokenizer_dir, seed);
}

std::unique_ptr<GenerativeTask> make_reasoning(const config::TrainConfig& cfg, const TrainData& data,
                                               const std::string& tokenizer_dir, uint64_t seed) {
  return std::make_unique<ReasoningTask>(cfg, data, tokenizer_dir, seed);
}

}  // namespace because::train
