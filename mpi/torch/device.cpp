#include "mpi/torch/device.h"

#include <mpi.h>
#include <torch/torch.h>

#include "util/error.h"

namespace because::mpi {

std::string rank_device(const Comm& comm, const std::string& spec, const std::string& option) {
  torch::Device d(torch::kCPU);
  try {
    d = torch::Device(spec);
  } catch (const c10::Error&) {
    throw ConfigError(option + ": unknown value '" + spec + "' (use cpu, cuda or cuda:N)");
  }
  if (d.is_cpu()) return "cpu";
  if (!d.is_cuda()) throw ConfigError(option + ": unsupported device '" + spec + "' (use cpu, cuda or cuda:N)");
  const int count = static_cast<int>(torch::cuda::device_count());
  if (count == 0)
    throw ConfigError(option + " = " + spec + ": no CUDA device is visible to this process (a CPU-only libtorch, "
                      "no GPU on this node, or CUDA_VISIBLE_DEVICES empty); use " + option + " = cpu");
  if (d.has_index()) {
    if (d.index() >= count)
      throw ConfigError(option + " = " + spec + ": this node has " + std::to_string(count) + " CUDA device(s)");
    return d.str();
  }
  MPI_Comm node;
  BECAUSE_MPI_CHECK(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node));
  int local = 0;
  BECAUSE_MPI_CHECK(MPI_Comm_rank(node, &local));
  BECAUSE_MPI_CHECK(MPI_Comm_free(&node));
  return "cuda:" + std::to_string(gpu_for_local_rank(local, count));
}

config::Config with_rank_model_device(const Comm& comm, const config::Config& cfg, const std::string& backend) {
  config::Config out = cfg;
  if (backend == "torch") out.model.device = rank_device(comm, cfg.model.device, "model.device");
  return out;
}

std::string device_note(const std::string& backend, const config::Config& model_cfg) {
  return backend == "torch" ? " on " + model_cfg.model.device + " (rank 0)" : std::string();
}

}  // namespace because::mpi
