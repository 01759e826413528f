// Data-parallel gradient synchronisation: parameters broadcast from rank 0, gradients copied into
// flat float32 buckets by autograd hooks and summed with MPI_Iallreduce while the backward pass
// goes on (buckets launch strictly in index order, so every rank issues the same collectives).
// Buckets live on the parameters' device; for a GPU model each bucket is staged through a
// (pinned) host copy for MPI, so no CUDA-aware MPI is needed.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "mpi/comm.h"

namespace because::mpi {

/// Broadcasts every tensor in place from `root` (parameters and buffers at the start of training).
void broadcast_tensors(const Comm& comm, const std::vector<torch::Tensor>& tensors, int root = 0);

/// Time spent synchronising gradients, for the training log and the benchmark.
struct ReducerStats {
  double launch_s = 0;   ///< seconds inside MPI_Iallreduce / MPI_Test calls during backward
  double wait_s = 0;     ///< seconds finish_step waited for outstanding reductions (exposed)
  int64_t bytes = 0;     ///< bytes reduced per step (all buckets)
  int64_t n_steps = 0;   ///< steps synchronised
};

/// Sums the gradients of `params` over all ranks of `comm` after each backward pass. The loss
/// must already be divided by the global normaliser (examples or tokens of the global batch), so
/// that the sum is the single-process gradient. Usage per step: begin_step(); backward();
/// finish_step(). Parameters that got no gradient on a rank (no local examples, unused branch)
/// contribute zeros. One reducer per model; it owns autograd hooks on the parameters.
class GradientReducer {
 public:
  /// `bucket_bytes`: float32 bytes per bucket; `overlap`: launch reductions from the hooks.
  GradientReducer(const Comm& comm, std::vector<torch::Tensor> params,
                  int64_t bucket_bytes = 4 << 20, bool overlap = true);
  ~GradientReducer();
  GradientReducer(const GradientReducer&) = delete;
  GradientReducer& operator=(const GradientReducer&) = delete;

  /// Clears the buckets; call before backward.
  void begin_step();
  /// Launches what is left, waits for every bucket and writes the summed gradients into
  /// each parameter's .grad (allocating it where missing).
  void finish_step();

  const ReducerStats& stats() const { return stats_; }
  void reset_stats() { stats_ = {}; }
  int n_buckets() const { return static_cast<int>(buckets_.size()); }

 private:
  struct Slot {
    torch::Tensor param;
    int bucket = 0;
    int64_t offset = 0;  ///< elements into the bucket
    int64_t numel = 0;
    bool seen = false;
    unsigned hook = 0;
  };
  struct Bucket {
    torch::Tensor flat;  ///< float32, contiguous, on the parameters' device
    torch::Tensor host;  ///< host copy reduced by MPI when `flat` is not on the CPU (else undefined)
    int n_slots = 0;
    int n_ready = 0;
    bool launched = false;
    MPI_Request request = MPI_REQUEST_NULL;
  };
  void on_grad(size_t slot, const torch::Tensor& grad);
  void launch_ready_in_order();
  void launch(Bucket& b);

  const Comm& comm_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  int next_launch_ = 0;
  bool overlap_;
  bool in_step_ = false;
  std::thread::id main_thread_;
  std::mutex mutex_;
  ReducerStats stats_;
};

}  // namespace because::mpi
