// Decoder forward throughput on CPU for a ~20M-parameter Llama-shaped model: prefill and
// decode tokens/s at batch 1, 8, 32, next to the float32 matmul GFLOP/s measured in the same
// run; model FLOPs utilisation = achieved model GFLOP/s / matmul GFLOP/s. Prints figures only.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "model/decoder.h"
#include "util/proc.h"

using namespace because::model;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// Sustained float32 GEMM rate on shapes like the model's (M x 512 by 512 x 1408) and a square one.
double matmul_gflops(int64_t m, int64_t k, int64_t n) {
  auto a = torch::randn({m, k}), b = torch::randn({k, n});
  auto c = torch::mm(a, b);
  int reps = 0;
  auto t0 = Clock::now();
  while (seconds_since(t0) < 1.0) {
    c = torch::mm(a, b);
    ++reps;
  }
  return 2.0 * m * k * n * reps / seconds_since(t0) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  because::proc::tune_allocator();  // as the `because` command does (util/proc.h)
  const int threads = argc > 1 ? std::atoi(argv[1]) : torch::get_num_threads();
  torch::set_num_threads(threads);
  DecoderConfig c;
  c.vocab_size = 8192;
  c.hidden_size = 512;
  c.intermediate_size = 1408;
  c.n_layers = 6;
  c.n_heads = 8;
  c.n_kv_heads = 4;
  c.head_dim = 64;
  c.max_position_embeddings = 1024;
  c.tie_word_embeddings = true;
  torch::manual_seed(0);
  Decoder m(c);
  m->eval();
  torch::InferenceMode guard;
  const int64_t n_params = count_parameters(c);
  // FLOPs: 2 per weight of the layers' matmuls per token, 2 per head weight per token whose
  // logits are computed (the last of each sequence), 4 * layers * heads * head_dim * context for
  // attention (QK^T and PV).
  const double h = c.hidden_size, q = c.n_heads * c.head_dim, kv = c.n_kv_heads * c.head_dim;
  const double layer_flops = 2.0 * c.n_layers * (h * q + 2 * h * kv + q * h + 3 * h * c.intermediate_size);
  const double head_flops = 2.0 * c.vocab_size * h;
  auto attn_flops = [&](double ctx) { return 4.0 * c.n_layers * c.n_heads * c.head_dim * ctx; };

  const double peak_square = matmul_gflops(1024, 1024, 1024);
  const double peak_model = matmul_gflops(256, 512, 1408);
  const double peak = std::max(peak_square, peak_model);
  std::printf("decoder: %.1fM parameters (hidden %ld, %ld layers, %ld/%ld heads, vocab %ld), %d thread(s)\n",
              n_params / 1e6, (long)c.hidden_size, (long)c.n_layers, (long)c.n_heads, (long)c.n_kv_heads,
              (long)c.vocab_size, threads);
  std::printf("matmul f32: %.1f GFLOP/s (1024^3), %.1f GFLOP/s (256x512x1408); bound = %.1f GFLOP/s\n", peak_square,
              peak_model, peak);
  std::printf("%-8s %6s %8s %12s %12s %8s\n", "phase", "batch", "tokens", "tokens/s", "GFLOP/s", "MFU");
  const int64_t prompt = 128, steps = 32;
  for (int64_t B : {1, 8, 32}) {
    auto ids = torch::randint(0, c.vocab_size, {B, prompt});
    auto mask = torch::ones({B, prompt}, torch::kInt64);
    {  // warm-up
      auto cache = m->new_cache(B, prompt + steps);
      m->forward_cached(ids, mask, cache, true);
    }
    auto cache = m->new_cache(B, prompt + steps);
    auto t0 = Clock::now();
    m->forward_cached(ids, mask, cache, true);
    const double tp = seconds_since(t0);
    const double prefill_flops = B * prompt * (layer_flops + attn_flops(prompt / 2.0)) + B * head_flops;
    std::printf("%-8s %6ld %8ld %12.0f %12.1f %7.1f%%\n", "prefill", (long)B, (long)(B * prompt), B * prompt / tp,
                prefill_flops / tp / 1e9, 100.0 * prefill_flops / tp / 1e9 / peak);
    auto next = torch::randint(0, c.vocab_size, {B, 1});
    auto one = torch::ones({B, 1}, torch::kInt64);
    t0 = Clock::now();
    for (int64_t s = 0; s < steps; ++s) m->forward_cached(next, one, cache, true);
    const double td = seconds_since(t0);
    const double decode_flops = B * steps * (layer_flops + head_flops + attn_flops(prompt + steps / 2.0));
    std::printf("%-8s %6ld %8ld %12.0f %12.1f %7.1f%%\n", "decode", (long)B, (long)(B * steps), B * steps / td,
                decode_flops / td / 1e9, 100.0 * decode_flops / td / 1e9 / peak);
  }
  return 0;
}
