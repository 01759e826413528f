// The data-parallel training loop (see train_loop.h).
#include "mpi/torch/train_loop.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

// libtorch 2.4 replaced the per-device autocast calls (is_cpu_enabled, set_autocast_gpu_dtype, ...)
// by calls taking the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define BECAUSE_TORCH_AUTOCAST_BY_DEVICE 1
#else
#define BECAUSE_TORCH_AUTOCAST_BY_DEVICE 0
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <random>
#include <sstream>

#include "train/checkpoint.h"
#include "train/schedule.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/signals.h"

namespace because::mpi {
namespace {

// Mixed precision for the scope of a forward pass: eligible ops (matmuls, linear layers) of the
// model's device type run in `dtype` (bfloat16 on CPU or CUDA, float16 on CUDA); the previous
// autocast state comes back on exit.
class Autocast {
 public:
  Autocast(bool on, at::ScalarType dtype, c10::DeviceType device) : on_(on), device_(device) {
    if (!on_) return;
#if BECAUSE_TORCH_AUTOCAST_BY_DEVICE
    was_enabled_ = at::autocast::is_autocast_enabled(device_);
    was_dtype_ = at::autocast::get_autocast_dtype(device_);
    at::autocast::set_autocast_dtype(device_, dtype);
    at::autocast::set_autocast_enabled(device_, true);
#else
    const bool cpu = device_ == c10::DeviceType::CPU;
    was_enabled_ = cpu ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
    was_dtype_ = cpu ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
    if (cpu) {
      at::autocast::set_autocast_cpu_dtype(dtype);
      at::autocast::set_cpu_enabled(true);
    } else {
      at::autocast::set_autocast_gpu_dtype(dtype);
      at::autocast::set_enabled(true);
    }
#endif
    at::autocast::increment_nesting();
  }
  ~Autocast() {
    if (!on_) return;
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
#if BECAUSE_TORCH_AUTOCAST_BY_DEVICE
    at::autocast::set_autocast_enabled(device_, was_enabled_);
    at::autocast::set_autocast_dtype(device_, was_dtype_);
#else
    if (device_ == c10::DeviceType::CPU) {
      at::autocast::set_cpu_enabled(was_enabled_);
      at::autocast::set_autocast_cpu_dtype(was_dtype_);
    } else {
      at::autocast::set_enabled(was_enabled_);
      at::autocast::set_autocast_gpu_dtype(was_dtype_);
    }
#endif
  }
  Autocast(const Autocast&) = delete;
  Autocast& operator=(const Autocast&) = delete;

 private:
  bool on_;
  c10::DeviceType device_;
  bool was_enabled_ = false;
  at::ScalarType was_dtype_ = at::kBFloat16;
};

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<int64_t> permutation(int64_t n, uint64_t seed, bool shuffle, int64_t epoch) {
  std::vector<int64_t> p(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) p[static_cast<size_t>(i)] = i;
  if (!shuffle) return p;
  std::mt19937_64 rng(hash::mix_seed(seed, static_cast<uint64_t>(epoch) + 0x5eed));
  for (int64_t i = n - 1; i > 0; --i) std::swap(p[static_cast<size_t>(i)], p[rng() % static_cast<uint64_t>(i + 1)]);
  return p;
}

// Gathers a [n_local][L] float tensor from every rank into [n_total][L] on every rank.
torch::Tensor allgather_rows(const Comm& comm, torch::Tensor local, int64_t width) {
  local = local.defined() ? local.to(torch::kCPU, torch::kFloat).contiguous() : torch::zeros({0, width});
  const int n_local = static_cast<int>(local.numel());
  std::vector<int> counts(static_cast<size_t>(comm.size())), displs(static_cast<size_t>(comm.size()));
  BECAUSE_MPI_CHECK(MPI_Allgather(&n_local, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()));
  int64_t total = 0;
  for (size_t r = 0; r < counts.size(); ++r) {
    displs[r] = static_cast<int>(total);
    total += counts[r];
  }
  auto out = torch::zeros({total / std::max<int64_t>(width, 1), width}, torch::kFloat);
  BECAUSE_MPI_CHECK(MPI_Allgatherv(local.data_ptr<float>(), n_local, MPI_FLOAT, out.data_ptr<float>(), counts.data(),
                                   displs.data(), MPI_FLOAT, comm.get()));
  return out;
}

// Keeps the log lines of earlier phases and of this phase up to `step` (resume rewrites the tail).
void truncate_log(const std::string& path, const std::string& phase, int64_t step) {
  if (path.empty() || !files::exists(path)) return;
  std::ifstream in(path);
  std::ostringstream kept;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    try {
      auto j = nlohmann::json::parse(line);
      if (j.value("phase", "") == phase && j.value("step", int64_t{0}) > step) continue;
    } catch (const nlohmann::json::exception&) {
      continue;  // a torn last line from a killed run
    }
    kept << line << "\n";
  }
  files::write_atomic(path, kept.str());
}

void append_log(const std::string& path, const nlohmann::json& j) {
  if (path.empty()) return;
  std::ofstream out(path, std::ios::app);
  out << j.dump() << "\n";
}

std::vector<torch::Tensor> clone_all(const train::NamedTensors& t) {
  std::vector<torch::Tensor> out;
  for (const auto& [n, v] : t) out.push_back(v.detach().clone());
  return out;
}

void copy_into(const train::NamedTensors& dst, const std::vector<torch::Tensor>& src) {
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < dst.size(); ++i) dst[i].second.copy_(src[i]);
}

}  // namespace

std::vector<int64_t> local_rows(int64_t n, int64_t batch_size, uint64_t seed, bool shuffle, int64_t epoch,
                                int64_t batch, int rank, int size) {
  const auto perm = permutation(n, seed, shuffle, epoch);
  const int64_t start = batch * batch_size;
  const int64_t end = std::min(n, start + batch_size);
  const int64_t m = std::max<int64_t>(0, end - start);
  const int64_t lo = start + m * rank / size, hi = start + m * (rank + 1) / size;
  return std::vector<int64_t>(perm.begin() + lo, perm.begin() + hi);
}

nlohmann::json evaluate_all(const Comm& comm, train::Task& task, std::map<std::string, torch::Tensor>* probs_out) {
  nlohmann::json out = nlohmann::json::object();
  task.set_training(false);
  torch::NoGradGuard no_grad;
  for (const auto& split : task.eval_splits()) {
    const int64_t n = task.n_eval(split);
    const int64_t lo = n * comm.rank() / comm.size(), hi = n * (comm.rank() + 1) / comm.size();
    std::vector<int64_t> rows;
    for (int64_t i = lo; i < hi; ++i) rows.push_back(i);
    train::EvalPart part = task.evaluate(split, rows);
    std::vector<double> sums{part.loss_sum, static_cast<double>(part.loss_count)};
    comm.sum_inplace(sums);
    const int64_t width = comm.max(part.probs.defined() ? part.probs.size(1) : int64_t{0});
    torch::Tensor probs;
    if (width > 0) probs = allgather_rows(comm, part.probs, width);
    const double mean_loss = sums[1] > 0 ? sums[0] / sums[1] : 0.0;
    out[split] = task.score(split, probs, mean_loss);
    if (probs_out && probs.defined()) (*probs_out)[split] = probs;
  }
  task.set_training(true);
  return out;
}

LoopResult run_training(const Comm& comm, train::Task& task, const LoopConfig& cfg) {
  if (cfg.batch_size <= 0) throw ConfigError("train.batch_size must be positive");
  const auto params = task.named_parameters();
  const auto state = task.named_state();
  const torch::Device device = params.empty() ? torch::Device(torch::kCPU) : params.front().second.device();
  if (cfg.precision != "float32" && cfg.precision != "bfloat16" && cfg.precision != "float16")
    throw ConfigError("train.precision: unknown value '" + cfg.precision +
                      "' (float32; bfloat16 or float16 for mixed precision)");
  if (cfg.precision == "float16" && !device.is_cuda())
    throw ConfigError("train.precision = float16 needs a CUDA device (train.device = cuda); the model is on " +
                      device.str() + ", where bfloat16 is the mixed precision");
  const bool autocast = cfg.precision != "float32";
  const at::ScalarType autocast_dtype = cfg.precision == "float16" ? at::kHalf : at::kBFloat16;
  train::LossScaler scaler(cfg.precision == "float16", cfg.loss_scale_init);
  auto opt = train::make_adamw(params, cfg.adamw);
  const int64_t n = task.n_train();
  if (n <= 0) throw InputError("training phase '" + cfg.phase + "' has no training rows");
  const int64_t per_epoch = (n + cfg.batch_size - 1) / cfg.batch_size;
  int64_t total = per_epoch * cfg.epochs;
  if (cfg.max_steps > 0) total = std::min(total, cfg.max_steps);
  if (cfg.max_steps > 0 && cfg.epochs <= 0) total = cfg.max_steps;
  const int64_t warmup = train::warmup_steps(cfg.warmup, total);

  LoopResult result;
  train::LoopState st;
  st.fingerprint = cfg.fingerprint;
  st.best_metric = cfg.best_metric;
  std::vector<torch::Tensor> best;
  const bool checkpoints = !cfg.checkpoint_dir.empty();
  // Resume: every rank reads the same checkpoint (shared file system); they must agree.
  if (checkpoints) {
    auto loaded = train::load_checkpoint(cfg.checkpoint_dir, state, *opt);
    if (!comm.all(loaded.has_value()) && comm.any(loaded.has_value()))
      throw Error(cfg.checkpoint_dir + ": checkpoint visible on some ranks only (is the run directory on a shared file system?)");
    if (loaded) {
      if (loaded->fingerprint != cfg.fingerprint)
        throw ConfigError(cfg.checkpoint_dir + ": checkpoint was written by a different training (" +
                          loaded->fingerprint + " vs " + cfg.fingerprint +
                          "); remove it or use another run directory to start over");
      st = *loaded;
      scaler.restore(st.loss_scale, st.loss_scale_clean);
      result.resumed = true;
      if (st.best_step >= 0 && files::exists(cfg.checkpoint_dir + "/best.pt")) {
        best = clone_all(state);
        auto tmp = state;
        for (size_t i = 0; i < tmp.size(); ++i) tmp[i].second = best[i];
        train::load_tensors(cfg.checkpoint_dir + "/best.pt", tmp);
      }
      log::info0("train[", cfg.phase, "]: resuming at step ", st.step, " (epoch ", st.epoch, ", batch ", st.batch,
                 ")", st.done ? ", already complete" : "");
    }
  }
  if (!result.resumed) broadcast_tensors(comm, [&] {
      std::vector<torch::Tensor> v;
      for (const auto& [name, t] : state) v.push_back(t);
      return v;
    }());
  result.steps = st.step;
  if (st.done) {
    result.last_eval = evaluate_all(comm, task);
    return result;
  }
  if (comm.root()) {
    if (result.resumed) truncate_log(cfg.log_path, cfg.phase, st.step);
  }

  std::vector<torch::Tensor> ptensors;
  for (const auto& [name, p] : params) ptensors.push_back(p);
  GradientReducer reducer(comm, ptensors, cfg.bucket_bytes, cfg.overlap);
  const auto save = [&](bool final) {
    if (!checkpoints) return;
    st.loss_scale = scaler.enabled() ? scaler.scale() : 0.0;
    st.loss_scale_clean = scaler.clean_steps();
    if (comm.root()) train::save_checkpoint(cfg.checkpoint_dir, state, *opt, st);
    comm.barrier();
    (void)final;
  };
  const auto do_eval = [&] {
    auto ev = evaluate_all(comm, task);
    result.last_eval = ev;
    if (comm.root()) append_log(cfg.log_path, {{"phase", cfg.phase}, {"step", st.step}, {"epoch", st.epoch}, {"eval", ev}});
    if (!cfg.best_metric.empty() && !ev.empty()) {
      const std::string split = cfg.best_split.empty() ? ev.begin().key() : cfg.best_split;
      if (!ev.contains(split) || !ev[split].contains(cfg.best_metric))
        throw ConfigError("train.best_metric: metric '" + cfg.best_metric + "' of split '" + split +
                          "' is not among the evaluation results " + ev.dump());
      const double v = ev[split][cfg.best_metric].get<double>();
      const bool better = st.best_step < 0 || (train::higher_is_better(cfg.best_metric) ? v > st.best_value : v < st.best_value);
      if (better) {
        st.best_value = v;
        st.best_step = st.step;
        best = clone_all(state);
        result.best_eval = ev;
        if (checkpoints && comm.root()) {
          files::make_dirs(cfg.checkpoint_dir);
          train::save_tensors(cfg.checkpoint_dir + "/best.pt", state);
        }
      }
    }
  };

  task.set_training(true);
  double interval_t0 = now_s();
  int64_t interval_samples = 0, interval_tokens = 0;
  double interval_wait = 0;
  while (st.step < total) {
    if (st.batch >= per_epoch) {
      st.epoch++;
      st.batch = 0;
      continue;
    }
    const double t0 = now_s();
    const auto rows = local_rows(n, cfg.batch_size, cfg.seed, cfg.shuffle, st.epoch, st.batch, comm.rank(), comm.size());
    torch::manual_seed(hash::mix_seed(hash::mix_seed(cfg.seed, static_cast<uint64_t>(st.step)), static_cast<uint64_t>(comm.rank())));
    reducer.begin_step();
    opt->zero_grad();
    train::LossSum ls;
    {
      const Autocast guard(autocast, autocast_dtype, device.type());
      ls = task.loss(rows);
    }
    const int64_t units = comm.sum(ls.count);
    double local_loss = 0;
    const double loss_scale = scaler.scale();
    if (ls.count > 0 && ls.sum.defined()) {
      local_loss = ls.sum.detach().item<double>();
      if (units > 0 && ls.sum.requires_grad()) {
        const double u = static_cast<double>(units);
        (scaler.enabled() ? ls.sum * (loss_scale / u) : ls.sum / u).backward();
      }
    }
    const double wait0 = reducer.stats().wait_s;
    reducer.finish_step();
    // The summed gradients are those of the scaled loss; an overflow (float16) skips the step.
    const double sq = train::grad_sq_norm(params);
    const bool overflow = scaler.enabled() && comm.any(!std::isfinite(sq));
    const double norm = std::sqrt(sq) / loss_scale;
    const double lr = cfg.adamw.lr * train::lr_factor(cfg.schedule, st.step, warmup, total);
    train::set_lr(*opt, lr);
    if (overflow) {
      result.skipped_steps++;
    } else {
      train::scale_grads(params, train::clip_factor(norm, cfg.clip_norm) / loss_scale);
      if (units > 0) opt->step();
    }
    scaler.update(overflow);
    std::vector<double> sums{local_loss, static_cast<double>(rows.size()), static_cast<double>(ls.tokens)};
    comm.sum_inplace(sums);
    const double loss = units > 0 ? sums[0] / static_cast<double>(units) : 0.0;
    if (!std::isfinite(loss))  // every rank sees the same summed loss, so all throw together
      throw InputError("train[" + cfg.phase + "] step " + std::to_string(st.step + 1) +
                       ": the loss is not finite; check the targets (a NaN target?) and the learning rate");
    result.losses.push_back(loss);
    st.step++;
    st.batch++;
    result.samples += static_cast<int64_t>(sums[1]);
    result.tokens += static_cast<int64_t>(sums[2]);
    interval_samples += static_cast<int64_t>(sums[1]);
    interval_tokens += static_cast<int64_t>(sums[2]);
    interval_wait += reducer.stats().wait_s - wait0;
    result.train_s += now_s() - t0;
    if (comm.root() && (st.step % std::max<int64_t>(1, cfg.log_every) == 0 || st.step == total)) {
      const double dt = std::max(1e-9, now_s() - interval_t0);
      nlohmann::json line = {{"phase", cfg.phase}, {"step", st.step}, {"epoch", st.epoch}, {"loss", loss},
                             {"lr", lr}, {"grad_norm", overflow ? nlohmann::json(nullptr) : nlohmann::json(norm)},
                             {"samples_per_s", interval_samples / dt}, {"tokens_per_s", interval_tokens / dt},
                             {"allreduce_wait_frac", interval_wait / dt}, {"ranks", comm.size()}};
      if (scaler.enabled()) {
        line["loss_scale"] = scaler.scale();
        line["skipped_steps"] = result.skipped_steps;
      }
      append_log(cfg.log_path, line);
      log::info0("train[", cfg.phase, "] step ", st.step, "/", total, " loss ", loss, " lr ", lr, " ",
                 static_cast<int64_t>(interval_samples / dt), " samples/s");
      interval_t0 = now_s();
      interval_samples = interval_tokens = 0;
      interval_wait = 0;
    }
    if (cfg.after_step) cfg.after_step(st.step);
    const bool epoch_end = st.batch >= per_epoch;
    if ((cfg.eval_every > 0 && st.step % cfg.eval_every == 0) || (cfg.eval_every <= 0 && epoch_end) ||
        st.step == total) {
      do_eval();
    }
    if (any_stop_requested(comm)) {
      if (!checkpoints) throw Interrupted("training stopped by a signal at step " + std::to_string(st.step) + " (no checkpoint directory)");
      save(false);
      throw Interrupted("training stopped by signal at step " + std::to_string(st.step) + "; checkpoint in " +
                        cfg.checkpoint_dir + "; run the same command to resume");
    }
    if (cfg.checkpoint_every > 0 && st.step % cfg.checkpoint_every == 0 && st.step < total) save(false);
  }
  if (!cfg.best_metric.empty() && !best.empty()) {
    copy_into(state, best);
    log::info0("train[", cfg.phase, "]: keeping the best weights (step ", st.best_step, ", ", cfg.best_metric, " = ",
               st.best_value, ")");
    result.last_eval = result.best_eval.empty() ? evaluate_all(comm, task) : result.best_eval;
  }
  st.done = true;
  save(true);
  result.steps = st.step;
  if (result.skipped_steps > 0)
    log::info0("train[", cfg.phase, "]: ", result.skipped_steps, " of ", result.losses.size(),
               " steps skipped for float16 gradient overflow (final loss scale ", scaler.scale(), ")");
  result.allreduce_wait_s = reducer.stats().wait_s;
  result.allreduce_launch_s = reducer.stats().launch_s;
  return result;
}

}  // namespace because::mpi
