// The in-process decoder backend.
#include "generate/torch_backend.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <numeric>

#include "model/lm.h"
#include "model/lm_impl.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/log.h"

namespace because::generate {

std::string model_dir_hash(const std::string& dir) {
  hash::Hasher h;
  h.update_framed(files::read_text(dir + "/config.json"));
  if (files::exists(dir + "/model.safetensors.index.json")) {
    h.update_framed(files::read_text(dir + "/model.safetensors.index.json"));
  } else if (files::exists(dir + "/model.safetensors")) {
    // The safetensors header: 8-byte little-endian length, then JSON of names, dtypes, offsets.
    std::ifstream in(dir + "/model.safetensors", std::ios::binary);
    uint64_t n = 0;
    in.read(reinterpret_cast<char*>(&n), 8);
    if (!in || n > (1ull << 30)) throw InputError(dir + "/model.safetensors: unreadable header");
    std::string header(n, '\0');
    in.read(header.data(), static_cast<std::streamsize>(n));
    h.update_framed(header);
  }
  return h.hex();
}

TorchBackend::TorchBackend(const TorchOptions& options) : options_(options) {
  if (options.model_path.empty()) throw ConfigError("--model.path: the torch backend needs a model directory");
  model::LoadOptions lo;
  lo.dtype = options.dtype;
  lo.device = options.device;
  lm_ = std::make_unique<model::LanguageModel>(model::LanguageModel::load(options.model_path, lo));
  model_hash_ = model_dir_hash(options.model_path);
}

TorchBackend::~TorchBackend() = default;

nlohmann::json TorchBackend::provenance() const {
  return {{"backend", "torch"},
          {"model", options_.model_path},
          {"model_hash", model_hash_},
          {"dtype", options_.dtype},
          {"device", options_.device},
          {"batch_size", options_.batch_size}};
}

bool TorchBackend::has_chat_template() const { return lm_->tokenizer().chat_family() != text::ChatFamily::kNone; }

std::vector<int32_t> TorchBackend::encode(const std::string& system, const std::string& prompt, bool chat) const {
  const auto& tok = lm_->tokenizer();
  if (chat) {
    std::vector<text::ChatMessage> msgs;
    if (!system.empty()) msgs.push_back({"system", system});
    msgs.push_back({"user", prompt});
    return tok.encode(tok.apply_chat_template(msgs, true), false);
  }
  return tok.encode(system.empty() ? prompt : system + "\n\n" + prompt, true);
}

std::vector<GenResult> TorchBackend::generate(const std::vector<GenRequest>& requests, const SamplingParams& params) {
  std::vector<GenResult> out(requests.size());
  std::vector<std::vector<int32_t>> ids(requests.size());
  std::vector<size_t> ok;
  const int64_t context = lm_->max_positions();
  for (size_t i = 0; i < requests.size(); ++i) {
    ids[i] = encode(requests[i].system, requests[i].prompt, requests[i].chat);
    out[i].n_prompt_tokens = static_cast<int64_t>(ids[i].size());
    if (static_cast<int64_t>(ids[i].size()) + params.max_new_tokens > context) {
      out[i].finish = Finish::kError;
      out[i].error = "prompt_too_long: " + std::to_string(ids[i].size()) + " prompt tokens + " +
                     std::to_string(params.max_new_tokens) + " new tokens exceed the context of " +
                     std::to_string(context);
      stats_.add("error.prompt_too_long");
      continue;
    }
    ok.push_back(i);
  }
  // Group prompts of similar length: sort by length (stable), then cut into batches.
  std::stable_sort(ok.begin(), ok.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  model::SamplingParams mp;
  mp.max_new_tokens = params.max_new_tokens;
  mp.temperature = params.temperature;
  mp.top_p = params.top_p;
  mp.top_k = params.top_k;
  const size_t bs = static_cast<size_t>(std::max(1, options_.batch_size));
  for (size_t b = 0; b < ok.size(); b += bs) {
    const size_t e = std::min(ok.size(), b + bs);
    std::vector<std::vector<int32_t>> batch;
    std::vector<uint64_t> seeds;
    for (size_t j = b; j < e; ++j) {
      batch.push_back(ids[ok[j]]);
      seeds.push_back(requests[ok[j]].seed);
    }
    auto res = lm_->generate_ids(batch, mp, seeds);
    for (size_t j = b; j < e; ++j) {
      auto& r = res[j - b];
      auto& o = out[ok[j]];
      o.text = std::move(r.text);
      o.n_tokens = r.n_tokens;
      o.logprob = r.logprob;
      o.finish = r.finish == model::FinishReason::kStop ? Finish::kStop : Finish::kLength;
    }
    stats_.add("batches");
  }
  stats_.add("requests", static_cast<int64_t>(requests.size()));
  return out;
}

int32_t TorchBackend::choice_token(const std::string& choice) const {
  const auto& tok = lm_->tokenizer();
  const auto enc = tok.encode(choice, false);
  if (enc.size() == 1) return enc[0];
  if (auto id = tok.token_to_id(choice)) return *id;
  if (auto id = tok.token_to_id("\xE2\x96\x81" + choice)) return *id;  // sentencepiece word start
  throw ConfigError("the tokenizer of " + options_.model_path + " has no single token for the choice '" + choice + "'");
}

std::vector<std::vector<double>> TorchBackend::shared_prefix_logprobs(const std::vector<std::vector<int32_t>>& prompts,
                                                                      size_t prefix, const std::vector<int32_t>& choice_ids) {
  auto& m = lm_->impl();
  torch::InferenceMode guard;
  const int64_t B = static_cast<int64_t>(prompts.size());
  size_t max_suffix = 0;
  for (const auto& p : prompts) max_suffix = std::max(max_suffix, p.size() - prefix);
  // The prefix once, with batch 1.
  auto cache = m.model->new_cache(1, static_cast<int64_t>(prefix + max_suffix));
  auto pre = torch::empty({1, static_cast<int64_t>(prefix)}, torch::kInt64);
  for (size_t t = 0; t < prefix; ++t) pre[0][static_cast<int64_t>(t)] = prompts[0][t];
  m.model->forward_cached(pre.to(m.device), torch::ones({1, static_cast<int64_t>(prefix)}, torch::kInt64).to(m.device), cache,
                          true);
  // Copied to every sequence; the suffixes follow left-padded (pads masked, positions continue).
  for (auto& k : cache.k) k = k.repeat({B, 1, 1, 1}).contiguous();
  for (auto& v : cache.v) v = v.repeat({B, 1, 1, 1}).contiguous();
  cache.mask = cache.mask.repeat({B, 1}).contiguous();
  cache.next_pos = cache.next_pos.repeat({B}).contiguous();
  const int64_t S = static_cast<int64_t>(max_suffix);
  auto suf = torch::full({B, S}, static_cast<int64_t>(m.pad_id), torch::kInt64);
  auto mask = torch::zeros({B, S}, torch::kInt64);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    const int64_t n = static_cast<int64_t>(p.size() - prefix);
    for (int64_t t = 0; t < n; ++t) {
      suf[b][S - n + t] = p[prefix + static_cast<size_t>(t)];
      mask[b][S - n + t] = 1;
    }
  }
  auto logits = m.model->forward_cached(suf.to(m.device), mask.to(m.device), cache, true);
  auto lp = torch::log_softmax(logits.select(1, 0).to(torch::kFloat32), -1).to(torch::kCPU).contiguous();
  std::vector<std::vector<double>> out(static_cast<size_t>(B));
  auto a = lp.accessor<float, 2>();
  for (int64_t b = 0; b < B; ++b)
    for (int32_t id : choice_ids) out[static_cast<size_t>(b)].push_back(a[b][id]);
  return out;
}

std::vector<ScoreResult> TorchBackend::score_choices(const std::vector<ScoreRequest>& requests,
                                                     const std::vector<std::string>& choices) {
  std::vector<int32_t> choice_ids;
  for (const auto& c : choices) choice_ids.push_back(choice_token(c));
  std::vector<ScoreResult> out(requests.size());
  std::vector<std::vector<int32_t>> ids(requests.size());
  std::vector<size_t> ok;
  const int64_t context = lm_->max_positions();
  for (size_t i = 0; i < requests.size(); ++i) {
    ids[i] = encode(requests[i].system, requests[i].prompt, requests[i].chat);
    out[i].n_prompt_tokens = static_cast<int64_t>(ids[i].size());
    if (static_cast<int64_t>(ids[i].size()) + 1 > context) {
      out[i].error = "prompt_too_long: " + std::to_string(ids[i].size()) + " prompt tokens exceed the context of " +
                     std::to_string(context);
      stats_.add("error.prompt_too_long");
      continue;
    }
    ok.push_back(i);
  }
  // Runs of consecutive prompts that share a long token prefix (the permutations of one item)
  // compute the prefix once; the rest go in length-sorted batches.
  const size_t bs = static_cast<size_t>(std::max(1, options_.batch_size));
  std::vector<size_t> rest;
  size_t i = 0;
  while (i < ok.size()) {
    size_t j = i + 1;
    size_t prefix = ids[ok[i]].size() - 1;
    while (j < ok.size() && j - i < bs) {
      const auto& a = ids[ok[i]];
      const auto& b = ids[ok[j]];
      size_t l = 0;
      while (l < a.size() && l < b.size() && a[l] == b[l]) ++l;
      l = std::min({l, a.size() - 1, b.size() - 1});
      if (l < kMinSharedPrefix) break;
      prefix = std::min(prefix, l);
      ++j;
    }
    if (j - i >= 2 && prefix >= kMinSharedPrefix) {
      std::vector<std::vector<int32_t>> run;
      for (size_t k = i; k < j; ++k) run.push_back(ids[ok[k]]);
      const auto lp = shared_prefix_logprobs(run, prefix, choice_ids);
      for (size_t k = i; k < j; ++k) out[ok[k]].scores = lp[k - i];
      stats_.add("score_shared_runs");
      stats_.add("score_shared_prefix_tokens", static_cast<int64_t>(prefix * (j - i - 1)));
      i = j;
    } else {
      rest.push_back(ok[i]);
      ++i;
    }
  }
  std::stable_sort(rest.begin(), rest.end(), [&](size_t a, size_t b) { return ids[a].size() < ids[b].size(); });
  for (size_t b = 0; b < rest.size(); b += bs) {
    const size_t e = std::min(rest.size(), b + bs);
    std::vector<std::vector<int32_t>> batch;
    for (size_t j = b; j < e; ++j) batch.push_back(ids[rest[j]]);
    const auto lp = lm_->next_token_logprobs(batch);
    for (size_t j = b; j < e; ++j) {
      auto& o = out[rest[j]];
      for (int32_t id : choice_ids) o.scores.push_back(lp[j - b][static_cast<size_t>(id)]);
    }
    stats_.add("score_batches");
  }
  stats_.add("score_requests", static_cast<int64_t>(requests.size()));
  return out;
}

}  // namespace because::generate
