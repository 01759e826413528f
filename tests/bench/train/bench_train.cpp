// Training throughput of a ~20M-parameter BERT-style encoder at sequence length 128 through the
// data-parallel loop (one thread per rank): samples/s, tokens/s, time waiting for the gradient
// all-reduce, and the fraction of the matmul bound (GFLOP/s of a large float32 matmul measured
// in the same run). Run with 1 and 2 ranks; rank 0 prints one line per configuration.
//   bench_train [SAMPLES_PER_RANK [STEPS [DEVICE]]]   DEVICE: cpu (default) or cuda; on cuda the
//   rows are float32, bfloat16 and float16 (loss scaling), each against the matmul bound of its
//   own dtype measured on the GPU.
#include <mpi.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "model/encoder.h"
#include "mpi/comm.h"
#include "mpi/torch/train_loop.h"
#include "util/proc.h"

namespace {
using namespace because;

constexpr int64_t kSeq = 128;

class BenchTask : public train::Task {
 public:
  BenchTask(const model::EncoderConfig& c, int64_t n) : model_(c) {
    torch::manual_seed(1);
    ids_ = torch::randint(5, c.vocab_size, {n, kSeq}, torch::kLong);
    gold_ = torch::randint(0, c.num_labels, {n}, torch::kLong);
  }
  train::NamedTensors named_parameters() override {
    train::NamedTensors out;
    for (auto& p : model_->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }
  train::NamedTensors named_state() override { return named_parameters(); }
  void set_training(bool on) override { model_->train(on); }
  void to_device(const torch::Device& device) override {
    model_->to(device);
    ids_ = ids_.to(device);
    gold_ = gold_.to(device);
  }
  int64_t n_train() const override { return ids_.size(0); }
  train::LossSum loss(const std::vector<int64_t>& rows) override {
    if (rows.empty()) return {};
    auto idx = torch::tensor(rows, torch::kLong).to(ids_.device());
    auto logits = model_->forward(ids_.index_select(0, idx));
    auto l = torch::nn::functional::cross_entropy(logits, gold_.index_select(0, idx),
                                                  torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    return {l, static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.size()) * kSeq};
  }
  std::vector<std::string> eval_splits() const override { return {}; }
  int64_t n_eval(const std::string&) const override { return 0; }
  train::EvalPart evaluate(const std::string&, const std::vector<int64_t>&) override { return {}; }
  nlohmann::json score(const std::string&, const torch::Tensor&, double) override { return {}; }
  void save_model(const std::string&) override {}
  int64_t n_params() {
    int64_t n = 0;
    for (auto& p : model_->parameters()) n += p.numel();
    return n;
  }
  int64_t n_matmul_params(const model::EncoderConfig& c) {  // weights that multiply every token
    return c.n_layers * (4 * c.hidden_size * c.hidden_size + 2 * c.hidden_size * c.intermediate_size);
  }

 private:
  model::Encoder model_;
  torch::Tensor ids_, gold_;
};

// GFLOP/s of a matmul of the encoder's shape (tokens x hidden x intermediate) on `device`.
double matmul_gflops(const torch::Device& device, torch::ScalarType dtype) {
  const int64_t m = device.is_cuda() ? 16384 : 1024;
  auto o = torch::TensorOptions().device(device).dtype(dtype);
  auto a = torch::randn({m, 384}, o), b = torch::randn({384, 1536}, o);
  const auto sync = [&] { (void)a.sum().item<double>(); };
  for (int i = 0; i < 3; ++i) (void)torch::mm(a, b);
  sync();
  const int reps = device.is_cuda() ? 200 : 20;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < reps; ++i) (void)torch::mm(a, b);
  sync();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return 2.0 * m * 384 * 1536 * reps / s / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  because::proc::tune_allocator();  // as the `because` command does (util/proc.h)
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  {
    torch::set_num_threads(1);
    const auto world = mpi::Comm::world();
    const int64_t per_rank = argc > 1 ? std::atoll(argv[1]) : 8;
    const int64_t steps = argc > 2 ? std::atoll(argv[2]) : 6;
    const torch::Device device(argc > 3 ? argv[3] : "cpu");
    model::EncoderConfig c;
    c.vocab_size = 30522;
    c.hidden_size = 384;
    c.n_layers = 6;
    c.n_heads = 6;
    c.intermediate_size = 1536;
    c.max_position_embeddings = 512;
    c.num_labels = 3;
    c.architecture = "BertForSequenceClassification";
    c.hidden_dropout_prob = 0.1;
    c.attention_probs_dropout_prob = 0.1;
    const int64_t global = per_rank * world.size();
    BenchTask task(c, global * (steps + 1));
    task.to_device(device);
    std::vector<std::pair<const char*, bool>> rows{{"float32", true}, {"float32", false}, {"bfloat16", true}};
    if (device.is_cuda()) rows = {{"float32", true}, {"bfloat16", true}, {"float16", true}};
    for (const auto& [precision, overlap] : rows) {
      const std::string prec = precision;
      const auto dtype = prec == "float32" ? torch::kFloat : prec == "bfloat16" ? torch::kBFloat16 : torch::kHalf;
      // The CPU bound stays float32 (bfloat16 there is emulated in part); a GPU row is bounded by its own dtype.
      const double peak = world.max(matmul_gflops(device, device.is_cuda() ? dtype : torch::kFloat));
      mpi::LoopConfig lc;
      lc.precision = precision;
      lc.epochs = 1;
      lc.max_steps = steps + 1;
      lc.batch_size = global;
      lc.log_every = 1000000;
      lc.overlap = overlap;
      lc.bucket_bytes = 8 << 20;
      // The first step warms up allocations; time the rest.
      mpi::LoopConfig warm = lc;
      warm.max_steps = 1;
      (void)mpi::run_training(world, task, warm);
      auto r = mpi::run_training(world, task, lc);
      if (world.root()) {
        const double sps = r.samples / r.train_s, tps = r.tokens / r.train_s;
        // Forward + backward ~ 6 FLOPs per matmul weight per token, plus attention (4 T H per layer per token x3).
        const double flop_per_token = 6.0 * task.n_matmul_params(c) + 3.0 * 4.0 * kSeq * c.hidden_size * c.n_layers;
        const double achieved = tps * flop_per_token / 1e9 / world.size();
        std::printf("bench_train device=%s ranks=%d precision=%s params=%.1fM seq=%lld batch/rank=%lld overlap=%d samples/s=%.2f tokens/s=%.0f "
                    "step_s=%.3f allreduce_wait=%.1f%% allreduce_calls=%.1f%% GFLOP/s/rank=%.2f matmul_bound=%.2f "
                    "fraction_of_bound=%.1f%%\n",
                    device.str().c_str(), world.size(), precision, task.n_params() / 1e6, static_cast<long long>(kSeq), static_cast<long long>(per_rank),
                    overlap ? 1 : 0, sps, tps, r.train_s / static_cast<double>(r.losses.size()),
                    100.0 * r.allreduce_wait_s / r.train_s, 100.0 * r.allreduce_launch_s / r.train_s, achieved, peak,
                    100.0 * achieved / peak);
        if (r.skipped_steps > 0) std::printf("  (%lld float16 steps skipped for overflow)\n", static_cast<long long>(r.skipped_steps));
        std::fflush(stdout);
      }
    }
  }
  MPI_Finalize();
  return 0;
}
