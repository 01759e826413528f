// The data-parallel loop: a run on N ranks equals the single-process run of the same global
// batches (losses 1e-5, weights 1e-4), including uneven last batches and ranks without rows;
// a run stopped by a signal resumes from its checkpoint to the same final weights.
#include <gtest/gtest.h>
#include <torch/torch.h>
#include <ATen/autocast_mode.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <utility>
#include <vector>

#include "mpi/comm.h"
#include "mpi/torch/train_loop.h"
#include "util/error.h"
#include "util/files.h"
#include "util/signals.h"

namespace because {
namespace {

// A small MLP classifier on fixed synthetic data (the same on every rank).
class MlpTask : public train::Task {
 public:
  MlpTask(int64_t n, uint64_t init_seed, double dropout) : dropout_(dropout) {
    torch::manual_seed(99);
    x_ = torch::randn({n, 5});
    y_ = (x_.select(1, 0) + 0.5 * x_.select(1, 1) > 0).to(torch::kLong) + (x_.select(1, 2) > 1).to(torch::kLong);
    torch::manual_seed(init_seed);
    net_ = torch::nn::Sequential(torch::nn::Linear(5, 16), torch::nn::Tanh(), torch::nn::Dropout(dropout),
                                 torch::nn::Linear(16, 3));
  }
  train::NamedTensors named_parameters() override {
    train::NamedTensors out;
    for (auto& p : net_->named_parameters()) out.emplace_back(p.key(), p.value());
    return out;
  }
  train::NamedTensors named_state() override { return named_parameters(); }
  void set_training(bool on) override { net_->train(on); }
  void to_device(const torch::Device& device) override {
    net_->to(device);
    x_ = x_.to(device);
    y_ = y_.to(device);
  }
  int64_t n_train() const override { return x_.size(0); }
  train::LossSum loss(const std::vector<int64_t>& rows) override {
    if (rows.empty()) return {torch::zeros({}), 0, 0};
    auto idx = torch::tensor(rows, torch::kLong).to(x_.device());
    auto logits = net_->forward(x_.index_select(0, idx));
    auto l = torch::nn::functional::cross_entropy(logits, y_.index_select(0, idx),
                                                  torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
    return {l, static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows.size()) * 5};
  }
  std::vector<std::string> eval_splits() const override { return {"dev"}; }
  int64_t n_eval(const std::string&) const override { return x_.size(0); }
  train::EvalPart evaluate(const std::string&, const std::vector<int64_t>& rows) override {
    train::EvalPart p;
    if (rows.empty()) return p;
    auto idx = torch::tensor(rows, torch::kLong).to(x_.device());
    auto logits = net_->forward(x_.index_select(0, idx));
    p.probs = torch::softmax(logits, -1).to(torch::kCPU);
    p.loss_sum = torch::nn::functional::cross_entropy(logits, y_.index_select(0, idx),
                 torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum)).item<double>();
    p.loss_count = static_cast<int64_t>(rows.size());
    return p;
  }
  nlohmann::json score(const std::string&, const torch::Tensor& probs, double mean_loss) override {
    const double acc = probs.argmax(1).eq(y_.to(torch::kCPU)).to(torch::kDouble).mean().item<double>();
    return {{"accuracy", acc}, {"loss", mean_loss}};
  }
  void save_model(const std::string&) override {}
  torch::Tensor flat() {
    std::vector<torch::Tensor> v;
    for (auto& p : net_->parameters()) v.push_back(p.detach().reshape({-1}).to(torch::kCPU));
    return torch::cat(v);
  }

 private:
  double dropout_;
  torch::Tensor x_, y_;
  torch::nn::Sequential net_{nullptr};
};

mpi::LoopConfig base_config() {
  mpi::LoopConfig c;
  c.epochs = 2;
  c.batch_size = 8;
  c.seed = 7;
  c.adamw.lr = 1e-2;
  c.warmup = 2;
  c.clip_norm = 0.5;
  c.bucket_bytes = 256;  // several buckets even for this small model
  c.log_every = 1000;
  return c;
}

// Largest per-step difference of two loss curves of the same length.
double max_step_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
  return d;
}

// Summed loss of the first and of the last epoch of a curve of `epochs` equal epochs.
std::pair<double, double> first_and_last_epoch(const std::vector<double>& losses, int epochs) {
  const size_t per_epoch = losses.size() / static_cast<size_t>(epochs);
  double first = 0, last = 0;
  for (size_t i = 0; i < per_epoch; ++i) {
    first += losses[i];
    last += losses[losses.size() - 1 - i];
  }
  return {first, last};
}

std::string shared_tmpdir(const mpi::Comm& comm, const std::string& tag) {
  std::string dir;
  if (comm.root()) {
    dir = (std::filesystem::temp_directory_path() / ("because-train-" + tag + "-" + std::to_string(::getpid()))).string();
    files::remove_tree(dir);
    std::filesystem::create_directories(dir);
  }
  comm.bcast(dir);
  return dir;
}

TEST(TrainLoop, RanksEqualSingleProcessWithUnevenBatches) {
  const auto world = mpi::Comm::world();
  for (int64_t n : {23, 5}) {
    auto cfg = base_config();
    if (n == 5) cfg.batch_size = 2;  // 3 ranks: one rank has no rows in every batch
    MlpTask dist(n, 3, 0.0);
    auto r = mpi::run_training(world, dist, cfg);
    const int64_t per_epoch = (n + cfg.batch_size - 1) / cfg.batch_size;
    ASSERT_EQ(static_cast<int64_t>(r.losses.size()), per_epoch * cfg.epochs);
    EXPECT_EQ(r.samples, n * cfg.epochs);
    if (world.root()) {
      mpi::Comm self(MPI_COMM_SELF);
      MlpTask single(n, 3, 0.0);
      auto s = mpi::run_training(self, single, cfg);
      ASSERT_EQ(s.losses.size(), r.losses.size());
      for (size_t i = 0; i < s.losses.size(); ++i) EXPECT_NEAR(s.losses[i], r.losses[i], 1e-5) << "step " << i;
      EXPECT_LT((single.flat() - dist.flat()).abs().max().item<double>(), 1e-4);
      EXPECT_NEAR(s.last_eval["dev"]["accuracy"].get<double>(), r.last_eval["dev"]["accuracy"].get<double>(), 1e-12);
    }
    // Every rank holds the same weights.
    auto f = dist.flat();
    auto g = f.clone();
    BECAUSE_MPI_CHECK(MPI_Bcast(g.data_ptr<float>(), static_cast<int>(g.numel()), MPI_FLOAT, 0, world.get()));
    EXPECT_EQ((f - g).abs().max().item<double>(), 0.0);
  }
}

TEST(TrainLoop, Bfloat16MixedPrecisionTrains) {
  const auto world = mpi::Comm::world();
  auto cfg = base_config();
  cfg.epochs = 6;
  MlpTask full(64, 3, 0.0), mixed(64, 3, 0.0);
  const auto r32 = mpi::run_training(world, full, cfg);
  cfg.precision = "bfloat16";
  const auto r16 = mpi::run_training(world, mixed, cfg);
  ASSERT_EQ(r16.losses.size(), r32.losses.size());
  const double max_diff = max_step_diff(r16.losses, r32.losses);
  EXPECT_GT(max_diff, 1e-6) << "bfloat16 autocast left the arithmetic unchanged";
  EXPECT_LT(max_diff, 0.1) << "bfloat16 training drifted from float32";
  const auto [first, last] = first_and_last_epoch(r16.losses, 6);
  EXPECT_LT(last, 0.9 * first) << "bfloat16 training did not learn (mean loss of the first and last epoch)";
  for (auto& [name, p] : mixed.named_parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat) << name;
  EXPECT_FALSE(at::autocast::is_cpu_enabled()) << "autocast state not restored";
  cfg.precision = "float16";  // needs a CUDA device
  EXPECT_THROW(mpi::run_training(world, mixed, cfg), ConfigError);
  cfg.precision = "float8";
  EXPECT_THROW(mpi::run_training(world, mixed, cfg), ConfigError);
}

// On a GPU (skipped without one): N ranks sharing it equal the single-process CPU run (the
// gradient buckets go through host copies for MPI), within GPU float32 arithmetic.
TEST(TrainLoop, CudaRanksEqualSingleProcessCpu) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto world = mpi::Comm::world();
  auto cfg = base_config();
  MlpTask dist(23, 3, 0.0);
  dist.to_device(torch::Device(torch::kCUDA, 0));
  auto r = mpi::run_training(world, dist, cfg);
  for (auto& [name, p] : dist.named_parameters()) EXPECT_TRUE(p.is_cuda()) << name;
  if (world.root()) {
    mpi::Comm self(MPI_COMM_SELF);
    MlpTask single(23, 3, 0.0);
    auto s = mpi::run_training(self, single, cfg);
    ASSERT_EQ(s.losses.size(), r.losses.size());
    for (size_t i = 0; i < s.losses.size(); ++i) EXPECT_NEAR(s.losses[i], r.losses[i], 1e-5) << "step " << i;
    EXPECT_LT((single.flat() - dist.flat()).abs().max().item<double>(), 1e-4);
  }
}

// float16 with dynamic loss scaling (GPU only). With the default scale it trains like float32;
// with an initial scale far too large the float16 gradients overflow, those steps are skipped
// and the scale halves until the gradients fit, after which training learns, with float32 weights.
TEST(TrainLoop, Float16LossScalingSkipsOverflowsOnCuda) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  const auto world = mpi::Comm::world();
  auto cfg = base_config();
  cfg.epochs = 6;
  const torch::Device gpu(torch::kCUDA, 0);
  MlpTask full(64, 3, 0.0), half(64, 3, 0.0), huge(64, 3, 0.0);
  full.to_device(gpu);
  half.to_device(gpu);
  huge.to_device(gpu);
  const auto r32 = mpi::run_training(world, full, cfg);
  EXPECT_EQ(r32.skipped_steps, 0);
  cfg.precision = "float16";
  const auto r16 = mpi::run_training(world, half, cfg);
  ASSERT_EQ(r16.losses.size(), r32.losses.size());
  EXPECT_LT(r16.skipped_steps, 5);
  const double max_diff = max_step_diff(r16.losses, r32.losses);
  EXPECT_GT(max_diff, 1e-6) << "float16 autocast left the arithmetic unchanged";
  EXPECT_LT(max_diff, 0.1) << "float16 training drifted from float32";
  for (auto& [name, p] : half.named_parameters()) EXPECT_EQ(p.scalar_type(), torch::kFloat) << name;

  cfg.loss_scale_init = std::ldexp(1.0, 30);
  const auto rh = mpi::run_training(world, huge, cfg);
  EXPECT_GT(rh.skipped_steps, 0) << "a 2^30 loss scale did not overflow float16";
  EXPECT_LT(rh.skipped_steps, 24) << "the scale did not come down";
  const auto [first, last] = first_and_last_epoch(rh.losses, 6);
  EXPECT_LT(last, 0.9 * first) << "float16 training did not learn after the overflows";
}

TEST(TrainLoop, StopCheckpointsAndResumesToTheSameWeights) {
  const auto world = mpi::Comm::world();
  const std::string dir = shared_tmpdir(world, "resume");
  auto cfg = base_config();
  cfg.epochs = 3;
  cfg.checkpoint_every = 2;
  cfg.fingerprint = "mlp-23";

  MlpTask straight(23, 3, 0.2);
  mpi::run_training(world, straight, cfg);

  auto stopping = cfg;
  stopping.checkpoint_dir = dir + "/ckpt";
  stopping.log_path = dir + "/log.jsonl";
  stopping.log_every = 1;
  stopping.after_step = [&](int64_t step) {
    if (step == 5 && world.rank() == world.size() - 1) signals::request_stop(SIGUSR1);
  };
  MlpTask first(23, 3, 0.2);
  EXPECT_THROW(mpi::run_training(world, first, stopping), Interrupted);
  signals::reset();
  stopping.after_step = nullptr;
  MlpTask second(23, 42, 0.2);  // a different init: the checkpoint must replace it
  auto r = mpi::run_training(world, second, stopping);
  EXPECT_TRUE(r.resumed);
  EXPECT_EQ(r.steps, 9);
  EXPECT_EQ(r.losses.size(), 4u);
  EXPECT_LT((straight.flat() - second.flat()).abs().max().item<double>(), 1e-6);
  // A changed training refuses the checkpoint.
  auto other = stopping;
  other.fingerprint = "mlp-24";
  MlpTask third(23, 3, 0.2);
  EXPECT_THROW(mpi::run_training(world, third, other), ConfigError);
  world.barrier();
  if (world.root()) files::remove_tree(dir);
}

}  // namespace
}  // namespace because
