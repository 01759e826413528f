// Device check: random Llama-family decoders and BERT/RoBERTa encoders written as HF
// directories, their outputs on CPU and CUDA saved for compare.py (transformers reference).
#include <torch/torch.h>

#include <cstdio>

#include "model/decoder.h"
#include "model/encoder.h"
#include "model/weights.h"

using namespace because::model;

static double maxdiff(const torch::Tensor& a, const torch::Tensor& b) {
  return (a.to(torch::kCPU).to(torch::kFloat32) - b.to(torch::kCPU).to(torch::kFloat32)).abs().max().item<double>();
}

int main(int argc, char** argv) {
  const std::string out = argv[1];
  const bool cuda = torch::cuda::is_available();
  std::printf("cuda available: %d\n", cuda ? 1 : 0);
  torch::Device dev = cuda ? torch::Device(torch::kCUDA) : torch::Device(torch::kCPU);
  torch::manual_seed(1234);
  torch::NoGradGuard ng;
  // Decoders: llama (GQA 8/2, llama3 rope, untied), qwen2 (q/k/v bias, tied), mistral (MHA).
  std::vector<std::pair<std::string, DecoderConfig>> decs;
  {
    DecoderConfig c;
    c.vocab_size = 256; c.hidden_size = 128; c.intermediate_size = 344; c.n_layers = 3; c.n_heads = 8;
    c.n_kv_heads = 2; c.head_dim = 16; c.max_position_embeddings = 256; c.rms_norm_eps = 1e-5; c.rope_theta = 500000;
    c.rope_scaling.type = "llama3"; c.rope_scaling.factor = 8; c.rope_scaling.low_freq_factor = 1;
    c.rope_scaling.high_freq_factor = 4; c.rope_scaling.original_max_position_embeddings = 32;
    c.tie_word_embeddings = false; c.bos_token_id = 1; c.eos_token_ids = {2};
    decs.emplace_back("llama", c);
    auto q = c;
    q.model_type = "qwen2"; q.architecture = "Qwen2ForCausalLM"; q.attention_bias = true; q.o_proj_bias = false;
    q.tie_word_embeddings = true; q.rope_scaling = RopeScaling{}; q.rope_theta = 1000000; q.rms_norm_eps = 1e-6;
    decs.emplace_back("qwen2", q);
    auto m = c;
    m.model_type = "mistral"; m.architecture = "MistralForCausalLM"; m.n_kv_heads = 8; m.rope_scaling = RopeScaling{};
    decs.emplace_back("mistral", m);
  }
  auto ids = torch::randint(3, 256, {3, 20});
  auto mask = torch::ones({3, 20}, torch::kInt64);
  mask[1].narrow(0, 0, 7).zero_();   // left padding
  mask[2].narrow(0, 0, 15).zero_();
  for (auto& [name, c] : decs) {
    Decoder m(c);
    m->eval();
    // non-trivial norms and biases
    for (auto& p : m->named_parameters())
      if (p.key().find("norm") != std::string::npos || p.key().find("bias") != std::string::npos)
        p.value().uniform_(0.5, 1.5);
    save_decoder(m, out + "/" + name);
    auto cpu = m->forward(ids, mask);
    m->to(dev);
    auto gpu = m->forward(ids.to(dev), mask.to(dev));
    auto cache = m->new_cache(3, 24);
    auto pre = m->forward_cached(ids.to(dev), mask.to(dev), cache);
    auto next = torch::randint(3, 256, {3, 1}).to(dev);
    auto step = m->forward_cached(next, torch::ones({3, 1}, torch::kInt64).to(dev), cache);
    auto full = m->forward(torch::cat({ids.to(dev), next}, 1), torch::cat({mask.to(dev), torch::ones({3, 1}, torch::kInt64).to(dev)}, 1));
    std::printf("%s: cpu vs %s max|diff| %.3g; cache step vs full %.3g\n", name.c_str(), cuda ? "cuda" : "cpu",
                maxdiff(cpu, gpu), maxdiff(step, full.narrow(1, 20, 1)));
    m->to(torch::kBFloat16);
    auto bf = m->forward(ids.to(dev), mask.to(dev));
    std::printf("%s: bf16 vs f32 max|diff| %.3g (logit scale %.3g)\n", name.c_str(), maxdiff(bf, gpu),
                gpu.abs().max().item<double>());
    save_tensors(out + "/" + name + "/because_out.safetensors",
                 {{"ids", ids}, {"mask", mask}, {"cpu", cpu}, {"gpu", gpu.to(torch::kCPU)}});
  }
  for (const std::string type : {"bert", "roberta"}) {
    EncoderConfig c;
    c.model_type = type;
    c.architecture = type == "bert" ? "BertForSequenceClassification" : "RobertaForSequenceClassification";
    c.vocab_size = 300; c.hidden_size = 96; c.n_layers = 3; c.n_heads = 6; c.intermediate_size = 200;
    c.max_position_embeddings = 64; c.num_labels = 3; c.pad_token_id = type == "bert" ? 0 : 1;
    c.type_vocab_size = type == "bert" ? 2 : 1; c.layer_norm_eps = type == "bert" ? 1e-12 : 1e-5;
    Encoder m(c);
    m->eval();
    for (auto& p : m->named_parameters())
      if (p.key().find("LayerNorm") != std::string::npos) p.value().uniform_(0.5, 1.5);
    save_encoder(m, out + "/" + type);
    auto eids = torch::randint(3, 300, {2, 12});
    auto emask = torch::ones({2, 12}, torch::kInt64);
    emask[1].narrow(0, 8, 4).zero_();
    eids[1].narrow(0, 8, 4).fill_(c.pad_token_id);
    auto types = torch::zeros({2, 12}, torch::kInt64);
    if (type == "bert") types[0].narrow(0, 6, 6).fill_(1);
    auto h = m->hidden_states(eids, emask, types);
    auto logits = m->forward(eids, emask, types);
    m->to(dev);
    auto hg = m->hidden_states(eids.to(dev), emask.to(dev), types.to(dev));
    auto lg = m->forward(eids.to(dev), emask.to(dev), types.to(dev));
    std::printf("%s: hidden cpu vs device %.3g, logits %.3g\n", type.c_str(), maxdiff(h, hg), maxdiff(logits, lg));
    save_tensors(out + "/" + type + "/because_out.safetensors",
                 {{"ids", eids}, {"mask", emask}, {"types", types}, {"hidden", h}, {"logits", logits},
                  {"hidden_gpu", hg.to(torch::kCPU)}, {"logits_gpu", lg.to(torch::kCPU)}});
  }
  return 0;
}
