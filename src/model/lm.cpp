// LanguageModel: batched generation with a KV cache over left-padded prompts, per-sequence
// sampling generators, next-token log-probabilities and per-token scores.
#include "model/lm.h"

#include <algorithm>

#include "model/lm_impl.h"
#include "model/weights.h"
#include "util/error.h"

namespace because::model {
namespace {

struct Batch {
  torch::Tensor ids, mask;
  int64_t max_len = 0;
};

Batch left_pad(const std::vector<std::vector<int32_t>>& prompts, int32_t pad, torch::Device device) {
  Batch b;
  for (const auto& p : prompts) b.max_len = std::max<int64_t>(b.max_len, static_cast<int64_t>(p.size()));
  const int64_t B = static_cast<int64_t>(prompts.size());
  auto ids = torch::full({B, b.max_len}, pad, torch::kInt64);
  auto mask = torch::zeros({B, b.max_len}, torch::kInt64);
  auto ia = ids.accessor<int64_t, 2>();
  auto ma = mask.accessor<int64_t, 2>();
  for (int64_t i = 0; i < B; ++i) {
    const int64_t off = b.max_len - static_cast<int64_t>(prompts[i].size());
    for (size_t t = 0; t < prompts[i].size(); ++t) {
      ia[i][off + t] = prompts[i][t];
      ma[i][off + t] = 1;
    }
  }
  b.ids = ids.to(device);
  b.mask = mask.to(device);
  return b;
}

}  // namespace

LanguageModel::LanguageModel() : impl_(std::make_unique<Impl>()) {}
LanguageModel::~LanguageModel() = default;
LanguageModel::LanguageModel(LanguageModel&&) noexcept = default;
LanguageModel& LanguageModel::operator=(LanguageModel&&) noexcept = default;

LanguageModel LanguageModel::load(const std::string& dir, const LoadOptions& o) {
  LanguageModel lm;
  auto& m = *lm.impl_;
  if (o.threads > 0) torch::set_num_threads(o.threads);
  m.device = torch::Device(o.device);
  if (m.device.is_cuda() && !torch::cuda::is_available())
    throw ConfigError("device '" + o.device + "' requested but this libtorch has no CUDA device available");
  m.dtype = parse_torch_dtype(o.dtype);
  m.tokenizer = text::Tokenizer::load(dir);
  m.model = load_decoder(dir, m.dtype, m.device);
  m.stop_ids = m.tokenizer->special().stop;
  for (auto id : m.model->config().eos_token_ids)
    if (std::find(m.stop_ids.begin(), m.stop_ids.end(), id) == m.stop_ids.end()) m.stop_ids.push_back(static_cast<int32_t>(id));
  const auto& sp = m.tokenizer->special();
  m.pad_id = sp.pad >= 0 ? sp.pad : sp.eos >= 0 ? sp.eos : 0;
  if (m.tokenizer->vocab_size() > m.model->config().vocab_size)
    throw ModelError(dir + ": the tokenizer has " + std::to_string(m.tokenizer->vocab_size()) +
                     " tokens but the model's vocab_size is " + std::to_string(m.model->config().vocab_size));
  return lm;
}

const text::Tokenizer& LanguageModel::tokenizer() const { return *impl_->tokenizer; }
int64_t LanguageModel::vocab_size() const { return impl_->model->config().vocab_size; }
int64_t LanguageModel::max_positions() const {
  const auto& c = impl_->model->config();
  return c.sliding_window > 0 ? std::min(c.sliding_window, c.max_position_embeddings) : c.max_position_embeddings;
}

std::vector<GenerationResult> LanguageModel::generate(const std::vector<std::string>& prompts, const SamplingParams& params,
                                                      const std::vector<uint64_t>& seeds) {
  std::vector<std::vector<int32_t>> ids;
  for (const auto& p : prompts) ids.push_back(impl_->tokenizer->encode(p, true));
  return generate_ids(ids, params, seeds);
}

std::vector<GenerationResult> LanguageModel::generate_ids(const std::vector<std::vector<int32_t>>& prompts,
                                                          const SamplingParams& params, const std::vector<uint64_t>& seeds) {
  auto& m = *impl_;
  if (seeds.size() != prompts.size())
    throw InputError("generate: " + std::to_string(prompts.size()) + " prompts but " + std::to_string(seeds.size()) + " seeds");
  const int64_t B = static_cast<int64_t>(prompts.size());
  std::vector<GenerationResult> out(B);
  if (B == 0) return out;
  for (const auto& p : prompts) {
    if (p.empty()) throw InputError("generate: empty prompt (encode with add_special=true to start from BOS)");
    for (auto id : p)
      if (id < 0 || id >= vocab_size()) throw InputError("generate: token id " + std::to_string(id) + " out of range");
    if (static_cast<int64_t>(p.size()) + params.max_new_tokens > max_positions())
      throw InputError("generate: prompt of " + std::to_string(p.size()) + " tokens plus " +
                       std::to_string(params.max_new_tokens) + " new tokens exceeds the model's " +
                       std::to_string(max_positions()) + " positions");
  }
  torch::InferenceMode guard;
  const int32_t V = static_cast<int32_t>(vocab_size());
  auto batch = left_pad(prompts, m.pad_id, m.device);
  auto cache = m.model->new_cache(B, batch.max_len + std::max(params.max_new_tokens, 1));
  auto logits = m.model->forward_cached(batch.ids, batch.mask, cache, /*last_only=*/true);
  std::vector<SequenceRng> rngs;
  std::vector<std::vector<int32_t>> history = prompts;
  for (auto s : seeds) rngs.emplace_back(s);
  std::vector<bool> done(B, params.max_new_tokens <= 0);
  std::vector<float> row(V);
  for (int32_t step = 0; step < params.max_new_tokens; ++step) {
    auto lp = torch::log_softmax(logits.select(1, 0).to(torch::kFloat32), -1).to(torch::kCPU).contiguous();
    auto raw = logits.select(1, 0).to(torch::kFloat32).to(torch::kCPU).contiguous();
    const float* lp_data = lp.data_ptr<float>();
    const float* raw_data = raw.data_ptr<float>();
    std::vector<int64_t> next(B, m.pad_id), next_mask(B, 0);
    for (int64_t i = 0; i < B; ++i) {
      if (done[i]) continue;
      std::copy(raw_data + i * V, raw_data + (i + 1) * V, row.begin());
      const int32_t tok = sample_token(row, params, history[i], rngs[i]);
      auto& r = out[i];
      r.ids.push_back(tok);
      r.logprob += lp_data[i * V + tok];
      history[i].push_back(tok);
      next[i] = tok;
      next_mask[i] = 1;
      const bool is_stop = params.stop_at_eos && std::find(m.stop_ids.begin(), m.stop_ids.end(), tok) != m.stop_ids.end();
      if (is_stop) {
        r.finish = FinishReason::kStop;
        done[i] = true;
      } else if (!params.stop.empty()) {
        const std::string text = m.tokenizer->decode(r.ids, true);
        for (const auto& s : params.stop)
          if (!s.empty() && text.find(s) != std::string::npos) {
            r.finish = FinishReason::kStop;
            done[i] = true;
          }
      }
    }
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; }) || step + 1 == params.max_new_tokens) break;
    auto ids = torch::tensor(next, torch::kInt64).view({B, 1}).to(m.device);
    auto mask = torch::tensor(next_mask, torch::kInt64).view({B, 1}).to(m.device);
    logits = m.model->forward_cached(ids, mask, cache, true);
  }
  for (auto& r : out) {
    r.n_tokens = static_cast<int32_t>(r.ids.size());
    r.text = m.tokenizer->decode(r.ids, true);
    size_t cut = std::string::npos;
    for (const auto& s : params.stop)
      if (!s.empty()) cut = std::min(cut, r.text.find(s));
    if (cut != std::string::npos) r.text.resize(cut);
  }
  return out;
}

std::vector<std::vector<float>> LanguageModel::next_token_logprobs(const std::vector<std::vector<int32_t>>& prompts) {
  auto& m = *impl_;
  std::vector<std::vector<float>> out;
  if (prompts.empty()) return out;
  for (const auto& p : prompts)
    if (p.empty() || static_cast<int64_t>(p.size()) > max_positions())
      throw InputError("next_token_logprobs: prompt of " + std::to_string(p.size()) + " tokens (1.." +
                       std::to_string(max_positions()) + " allowed)");
  torch::InferenceMode guard;
  auto batch = left_pad(prompts, m.pad_id, m.device);
  auto cache = m.model->new_cache(static_cast<int64_t>(prompts.size()), batch.max_len);
  auto logits = m.model->forward_cached(batch.ids, batch.mask, cache, true);
  auto lp = torch::log_softmax(logits.select(1, 0).to(torch::kFloat32), -1).to(torch::kCPU).contiguous();
  const int64_t V = lp.size(1);
  for (size_t i = 0; i < prompts.size(); ++i) out.emplace_back(lp.data_ptr<float>() + i * V, lp.data_ptr<float>() + (i + 1) * V);
  return out;
}

std::vector<std::vector<float>> LanguageModel::score(const std::vector<std::vector<int32_t>>& sequences) {
  auto& m = *impl_;
  std::vector<std::vector<float>> out(sequences.size());
  torch::InferenceMode guard;
  const int64_t V = vocab_size();
  size_t i = 0;
  while (i < sequences.size()) {
    // Group sequences so that a group's logits stay under ~256M floats.
    size_t j = i;
    int64_t max_len = 0;
    while (j < sequences.size()) {
      const int64_t len = std::max<int64_t>(max_len, static_cast<int64_t>(sequences[j].size()));
      if (j > i && static_cast<int64_t>(j - i + 1) * len * V > (int64_t{1} << 28)) break;
      max_len = len;
      ++j;
    }
    std::vector<std::vector<int32_t>> group(sequences.begin() + i, sequences.begin() + j);
    for (const auto& s : group)
      if (s.empty() || static_cast<int64_t>(s.size()) > max_positions())
        throw InputError("score: sequence of " + std::to_string(s.size()) + " tokens (1.." + std::to_string(max_positions()) +
                         " allowed)");
    auto batch = left_pad(group, m.pad_id, m.device);
    auto lp = torch::log_softmax(m.model->forward(batch.ids, batch.mask).to(torch::kFloat32), -1);
    // token t+1 given prefix: logits column c predicts column c+1
    auto target = batch.ids.narrow(1, 1, batch.max_len - 1).unsqueeze(-1);
    auto picked = lp.narrow(1, 0, batch.max_len - 1).gather(-1, target).squeeze(-1).to(torch::kCPU).contiguous();
    auto acc = picked.accessor<float, 2>();
    for (size_t g = 0; g < group.size(); ++g) {
      const int64_t n = static_cast<int64_t>(group[g].size());
      const int64_t off = batch.max_len - n;
      for (int64_t t = 1; t < n; ++t) out[i + g].push_back(acc[g][off + t - 1]);
    }
    i = j;
  }
  return out;
}

}  // namespace because::model
