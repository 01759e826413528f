// Bucketed gradient all-reduce with autograd hooks (see ddp_reducer.h).
#include "mpi/torch/ddp_reducer.h"

#include <chrono>
#include <limits>
#include <unordered_set>

#include "util/error.h"

namespace because::mpi {
namespace {

double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

MPI_Datatype mpi_type_of(const torch::Tensor& t) {
  switch (t.scalar_type()) {
    case torch::kFloat: return MPI_FLOAT;
    case torch::kDouble: return MPI_DOUBLE;
    case torch::kLong: return MPI_INT64_T;
    case torch::kInt: return MPI_INT32_T;
    case torch::kByte: case torch::kBool: return MPI_UINT8_T;
    case torch::kChar: return MPI_INT8_T;
    case torch::kShort: return MPI_INT16_T;
    case torch::kHalf: case torch::kBFloat16: return MPI_UINT16_T;  // broadcast only (bit copy)
    default: throw Error("broadcast_tensors: unsupported tensor type " + std::string(c10::toString(t.scalar_type())));
  }
}

}  // namespace

void broadcast_tensors(const Comm& comm, const std::vector<torch::Tensor>& tensors, int root) {
  if (comm.size() == 1) return;
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    if (!t.defined() || t.numel() == 0) continue;
    torch::Tensor buf = t.device().is_cpu() && t.is_contiguous() ? t : t.to(torch::kCPU).contiguous();
    const int64_t n = buf.numel();
    if (n > std::numeric_limits<int>::max()) throw Error("broadcast_tensors: tensor too large for one MPI call");
    BECAUSE_MPI_CHECK(MPI_Bcast(buf.data_ptr(), static_cast<int>(n), mpi_type_of(buf), root, comm.get()));
    if (!buf.is_same(t)) t.copy_(buf);
  }
}

GradientReducer::GradientReducer(const Comm& comm, std::vector<torch::Tensor> params, int64_t bucket_bytes,
                                 bool overlap)
    : comm_(comm), overlap_(overlap), main_thread_(std::this_thread::get_id()) {
  // Deduplicate tied parameters; keep those that need gradients.
  std::unordered_set<const void*> seen;
  std::vector<torch::Tensor> unique;
  for (auto& p : params) {
    if (!p.defined() || !p.requires_grad()) continue;
    if (!seen.insert(p.unsafeGetTensorImpl()).second) continue;
    unique.push_back(p);
  }
  // Reverse registration order approximates the order in which backward produces gradients.
  const int64_t bucket_elems = std::max<int64_t>(1, bucket_bytes / 4);
  std::vector<int64_t> sizes;
  for (auto it = unique.rbegin(); it != unique.rend(); ++it) {
    Slot s;
    s.param = *it;
    s.numel = it->numel();
    if (sizes.empty() || (sizes.back() > 0 && sizes.back() + s.numel > bucket_elems)) sizes.push_back(0);
    s.bucket = static_cast<int>(sizes.size()) - 1;
    s.offset = sizes.back();
    sizes.back() += s.numel;
    slots_.push_back(std::move(s));
  }
  const torch::Device device = unique.empty() ? torch::Device(torch::kCPU) : unique.front().device();
  for (const auto& p : unique) {
    if (p.device() != device)
      throw Error("GradientReducer: parameters on " + device.str() + " and " + p.device().str() +
                  " (one model, one device)");
  }
  const bool stage = !device.is_cpu() && comm_.size() > 1;
  buckets_.resize(sizes.size());
  for (size_t b = 0; b < sizes.size(); ++b) {
    buckets_[b].flat = torch::zeros({sizes[b]}, torch::TensorOptions().dtype(torch::kFloat).device(device));
    if (stage)
      buckets_[b].host = torch::zeros({sizes[b]}, torch::TensorOptions().dtype(torch::kFloat).pinned_memory(device.is_cuda()));
    stats_.bytes += sizes[b] * 4;
  }
  for (auto& s : slots_) buckets_[s.bucket].n_slots++;
  for (size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].hook = slots_[i].param.register_hook([this, i](torch::Tensor g) { on_grad(i, g); });
  }
}

GradientReducer::~GradientReducer() {
  for (auto& b : buckets_) {
    if (b.request != MPI_REQUEST_NULL) MPI_Wait(&b.request, MPI_STATUS_IGNORE);
  }
  for (auto& s : slots_) {
    try {
      s.param.remove_hook(s.hook);
    } catch (...) {
    }
  }
}

void GradientReducer::begin_step() {
  for (auto& b : buckets_) {
    if (b.request != MPI_REQUEST_NULL) throw Error("GradientReducer: begin_step with a reduction in flight");
    b.flat.zero_();
    b.n_ready = 0;
    b.launched = false;
  }
  for (auto& s : slots_) s.seen = false;
  next_launch_ = 0;
  in_step_ = true;
}

void GradientReducer::on_grad(size_t i, const torch::Tensor& grad) {
  if (!in_step_) return;  // backward outside a synchronised step (e.g. a probe): leave it alone
  std::lock_guard<std::mutex> lock(mutex_);
  Slot& s = slots_[i];
  Bucket& b = buckets_[s.bucket];
  if (b.launched) throw Error("GradientReducer: gradient arrived after its bucket was reduced (two backward passes in one step?)");
  auto view = b.flat.narrow(0, s.offset, s.numel);
  torch::NoGradGuard no_grad;
  view.add_(grad.detach().reshape({-1}).to(torch::kFloat));
  if (!s.seen) {
    s.seen = true;
    b.n_ready++;
  }
  if (overlap_ && std::this_thread::get_id() == main_thread_) launch_ready_in_order();
}

void GradientReducer::launch(Bucket& b) {
  b.launched = true;
  if (comm_.size() == 1) return;
  const double t0 = now_s();
  torch::Tensor& buf = b.host.defined() ? b.host : b.flat;
  if (b.host.defined()) b.host.copy_(b.flat);  // device -> host (synchronous)
  BECAUSE_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, buf.data_ptr<float>(), static_cast<int>(buf.numel()),
                                   MPI_FLOAT, MPI_SUM, comm_.get(), &b.request));
  stats_.launch_s += now_s() - t0;
}

void GradientReducer::launch_ready_in_order() {
  while (next_launch_ < static_cast<int>(buckets_.size())) {
    Bucket& b = buckets_[next_launch_];
    if (b.n_ready < b.n_slots) break;
    launch(b);
    ++next_launch_;
  }
  // Drive progress of what is in flight (Open MPI progresses non-blocking collectives in calls).
  if (comm_.size() > 1) {
    const double t0 = now_s();
    for (int k = 0; k < next_launch_; ++k) {
      int done = 0;
      if (buckets_[k].request != MPI_REQUEST_NULL)
        BECAUSE_MPI_CHECK(MPI_Test(&buckets_[k].request, &done, MPI_STATUS_IGNORE));
    }
    stats_.launch_s += now_s() - t0;
  }
}

void GradientReducer::finish_step() {
  if (!in_step_) throw Error("GradientReducer: finish_step without begin_step");
  {
    std::lock_guard<std::mutex> lock(mutex_);
    while (next_launch_ < static_cast<int>(buckets_.size())) launch(buckets_[next_launch_++]);
  }
  const double t0 = now_s();
  for (auto& b : buckets_) {
    if (b.request != MPI_REQUEST_NULL) BECAUSE_MPI_CHECK(MPI_Wait(&b.request, MPI_STATUS_IGNORE));
  }
  stats_.wait_s += now_s() - t0;
  torch::NoGradGuard no_grad;
  for (auto& b : buckets_) {
    if (b.host.defined()) b.flat.copy_(b.host);  // host -> device
  }
  for (auto& s : slots_) {
    auto view = buckets_[s.bucket].flat.narrow(0, s.offset, s.numel).view(s.param.sizes());
    auto& g = s.param.mutable_grad();
    if (!g.defined()) {
      g = view.to(s.param.options()).clone();
    } else {
      g.copy_(view);
    }
  }
  stats_.n_steps++;
  in_step_ = false;
}

}  // namespace because::mpi
