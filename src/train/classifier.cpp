// The classifier task (see classifier.h).
#include "train/classifier.h"

#include "metrics/classification.h"
#include "metrics/distribution.h"
#include "model/weights.h"
#include "train/inputs.h"
#include "util/error.h"
#include "util/files.h"

namespace because::train {
namespace {

namespace F = torch::nn::functional;

class ClassifierTask : public Task {
 public:
  ClassifierTask(const config::TrainConfig& cfg, const TrainData& data, const std::string& tokenizer_dir, uint64_t seed)
      : cfg_(cfg), data_(data), tokenizer_dir_(tokenizer_dir) {
    tok_ = text::Tokenizer::load(tokenizer_dir);
    input_.format = cfg.explanation_format;
    input_.select = cfg.explanation_select;
    input_.truncation = cfg.truncation;
    input_.max_length = cfg.max_length;
    if (cfg.soft_loss != "ce" && cfg.soft_loss != "kl")
      throw ConfigError("train.soft_loss: unknown value '" + cfg.soft_loss + "' (use ce or kl)");
    const int64_t L = static_cast<int64_t>(data.labels.size());
    torch::manual_seed(seed);
    if (!cfg.init.empty()) {
      model_ = model::load_encoder(cfg.init, L);
    } else {
      model::EncoderConfig c;
      c.model_type = "bert";
      c.architecture = "BertForSequenceClassification";
      c.vocab_size = tok_->vocab_size();
      c.hidden_size = cfg.hidden_size;
      c.n_layers = cfg.n_layers;
      c.n_heads = cfg.n_heads;
      c.intermediate_size = cfg.intermediate_size > 0 ? cfg.intermediate_size : 4 * cfg.hidden_size;
      c.max_position_embeddings = std::max<int64_t>(cfg.max_length, 128);
      c.pad_token_id = pad_id(*tok_);
      c.hidden_dropout_prob = cfg.dropout;
      c.attention_probs_dropout_prob = cfg.dropout;
      c.num_labels = L;
      c.id2label = data.labels;
      c.problem_type = "single_label_classification";
      model_ = model::Encoder(c);
    }
    if (model_->config().num_labels != L)
      throw ModelError("classifier head has " + std::to_string(model_->config().num_labels) + " labels, the data " +
                       std::to_string(L));
    train_rows_ = data.rows(cfg.train_split);
    for (const auto& s : cfg.eval_splits.items) eval_rows_[s] = data.rows(s);
    encoded_.resize(data.instances.size());
    soft_ = cfg.targets != "gold";
    // Examples without a usable target are left out of training (counted and reported).
    std::vector<int64_t> keep;
    for (auto r : train_rows_) {
      if (soft_ ? !data.soft[static_cast<size_t>(r)].empty() : data.instances[static_cast<size_t>(r)].gold >= 0) keep.push_back(r);
    }
    skipped_ = static_cast<int64_t>(train_rows_.size() - keep.size());
    train_rows_ = std::move(keep);
  }

  NamedTensors named_parameters() override {
    NamedTensors out;
    for (auto& p : model_->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }
  NamedTensors named_state() override {
    NamedTensors out;
    for (auto& p : model_->named_parameters()) out.emplace_back(p.key(), p.value());
    for (auto& b : model_->named_buffers()) out.emplace_back(b.key(), b.value());
    return out;
  }
  void set_training(bool on) override { model_->train(on); }
  void to_device(const torch::Device& device) override {
    model_->to(device);
    device_ = device;
  }
  int64_t n_train() const override { return static_cast<int64_t>(train_rows_.size()); }

  LossSum loss(const std::vector<int64_t>& rows) override {
    LossSum out;
    if (rows.empty()) return out;
    std::vector<int64_t> inst;
    for (auto r : rows) inst.push_back(train_rows_[static_cast<size_t>(r)]);
    auto pb = batch(inst);
    auto logits = model_->forward(pb.ids, pb.mask, pb.types).to(torch::kFloat);
    auto logp = torch::log_softmax(logits, -1);
    if (!soft_) {
      std::vector<int64_t> gold;
      for (auto i : inst) gold.push_back(data_.instances[static_cast<size_t>(i)].gold);
      out.sum = F::nll_loss(logp, torch::tensor(gold, torch::kLong).to(device_), F::NLLLossFuncOptions().reduction(torch::kSum));
    } else {
      auto t = targets(inst).to(device_);
      if (cfg_.soft_loss == "ce") {
        out.sum = -(t * logp).sum();
      } else {
        out.sum = (torch::xlogy(t, t) - t * logp).sum();
      }
    }
    out.count = static_cast<int64_t>(rows.size());
    out.tokens = pb.n_tokens;
    return out;
  }

  std::vector<std::string> eval_splits() const override { return cfg_.eval_splits.items; }
  int64_t n_eval(const std::string& split) const override { return static_cast<int64_t>(eval_rows_.at(split).size()); }

  EvalPart evaluate(const std::string& split, const std::vector<int64_t>& rows) override {
    EvalPart part;
    const auto& all = eval_rows_.at(split);
    std::vector<torch::Tensor> probs;
    const size_t step = 32;
    for (size_t k = 0; k < rows.size(); k += step) {
      std::vector<int64_t> inst;
      for (size_t j = k; j < std::min(rows.size(), k + step); ++j) inst.push_back(all[static_cast<size_t>(rows[j])]);
      auto pb = batch(inst);
      auto logits = model_->forward(pb.ids, pb.mask, pb.types).to(torch::kFloat);
      auto logp = torch::log_softmax(logits, -1).to(torch::kCPU);
      probs.push_back(logp.exp());
      for (size_t j = 0; j < inst.size(); ++j) {
        const auto& ins = data_.instances[static_cast<size_t>(inst[j])];
        if (ins.gold >= 0) {
          part.loss_sum -= logp[static_cast<int64_t>(j)][ins.gold].item<double>();
          part.loss_count++;
        }
      }
    }
    part.probs = probs.empty() ? torch::zeros({0, static_cast<int64_t>(data_.labels.size())}) : torch::cat(probs);
    return part;
  }

  nlohmann::json score(const std::string& split, const torch::Tensor& probs, double mean_loss) override {
    const auto& rows = eval_rows_.at(split);
    const int L = static_cast<int>(data_.labels.size());
    metrics::ClassificationState st(L);
    auto pred = probs.argmax(1);
    // Distribution metrics with reduce's definitions (metrics::DistState): against the training
    // targets of a soft phase ("target_*": human counts or a judgment set) and against the human
    // label counts where the instance has them ("human_*", what reduce reports for predictions).
    metrics::DistState target_dist, human_dist;
    auto p_acc = probs.to(torch::kDouble).contiguous();
    const double* pp = p_acc.data_ptr<double>();
    std::vector<double> model(static_cast<size_t>(L)), ref(static_cast<size_t>(L));
    for (size_t i = 0; i < rows.size(); ++i) {
      const auto& ins = data_.instances[static_cast<size_t>(rows[i])];
      if (ins.gold >= 0) st.add(ins.gold, static_cast<int>(pred[static_cast<int64_t>(i)].item<int64_t>()));
      model.assign(pp + i * static_cast<size_t>(L), pp + (i + 1) * static_cast<size_t>(L));
      if (soft_ && !data_.soft[static_cast<size_t>(rows[i])].empty()) {
        const auto& t = data_.soft[static_cast<size_t>(rows[i])];
        ref.assign(t.begin(), t.end());
        target_dist.add(ref, model);
      }
      int64_t total = 0;
      for (auto c : ins.label_counts) total += c;
      if (total > 0 && static_cast<int>(ins.label_counts.size()) == L) {
        ref.assign(ins.label_counts.begin(), ins.label_counts.end());
        human_dist.add(ref, model);
      }
    }
    const auto rep = st.value();
    nlohmann::json j = {{"accuracy", rep.accuracy}, {"macro_f1", rep.macro_f1}, {"weighted_f1", rep.weighted_f1},
                        {"loss", mean_loss}, {"n", rep.n}};
    for (const auto& [prefix, d] : {std::pair<const char*, const metrics::DistState*>{"target_", &target_dist},
                                    std::pair<const char*, const metrics::DistState*>{"human_", &human_dist}}) {
      const auto r = d->value();
      if (r.n == 0) continue;
      const std::string p(prefix);
      j[p + "kl"] = r.kl;
      j[p + "jsd"] = r.js;
      j[p + "tvd"] = r.tvd;
      j[p + "n"] = r.n;
    }
    return j;
  }

  void save_model(const std::string& dir) override {
    model::save_encoder(model_, dir);
    model::copy_tokenizer_files(tokenizer_dir_, dir);
  }

 private:
  PaddedBatch batch(const std::vector<int64_t>& inst) {
    std::vector<EncodedInput> enc;
    for (auto i : inst) {
      auto& e = encoded_[static_cast<size_t>(i)];
      if (e.ids.empty()) {
        const auto& ins = data_.instances[static_cast<size_t>(i)];
        e = encode_input(*tok_, ins.text_a, ins.text_b,
                         explanation_text(data_.explanations[static_cast<size_t>(i)], input_.select, data_.labels), input_);
      }
      enc.push_back(e);
    }
    auto pb = pad_batch(enc, pad_id(*tok_));
    if (!device_.is_cpu()) {
      pb.ids = pb.ids.to(device_);
      pb.mask = pb.mask.to(device_);
      pb.types = pb.types.to(device_);
    }
    return pb;
  }
  torch::Tensor targets(const std::vector<int64_t>& inst) {
    const int64_t L = static_cast<int64_t>(data_.labels.size());
    auto t = torch::zeros({static_cast<int64_t>(inst.size()), L});
    for (size_t k = 0; k < inst.size(); ++k) {
      const auto& s = data_.soft[static_cast<size_t>(inst[k])];
      for (int64_t l = 0; l < L; ++l) t[static_cast<int64_t>(k)][l] = s[static_cast<size_t>(l)];
    }
    return t;
  }

  const config::TrainConfig& cfg_;
  const TrainData& data_;
  std::string tokenizer_dir_;
  std::unique_ptr<text::Tokenizer> tok_;
  InputSettings input_;
  model::Encoder model_{nullptr};
  torch::Device device_{torch::kCPU};
  std::vector<int64_t> train_rows_;
  std::map<std::string, std::vector<int64_t>> eval_rows_;
  std::vector<EncodedInput> encoded_;
  bool soft_ = false;
  int64_t skipped_ = 0;
};

}  // namespace

std::unique_ptr<Task> make_classifier(const config::TrainConfig& cfg, const TrainData& data,
                                      const std::string& tokenizer_dir, uint64_t seed) {
  return std::make_unique<ClassifierTask>(cfg, data, tokenizer_dir, seed);
}

}  // namespace because::train
