// rank_device: the device option resolved per rank (train.device, and model.device for explain
// and judge). Without a GPU only the CPU path and the errors run; with one, "cuda" must give
// every rank of the node GPU (node-local rank % GPUs).
#include <gtest/gtest.h>
#include <mpi.h>
#include <torch/torch.h>

#include <string>

#include "mpi/comm.h"
#include "mpi/torch/device.h"
#include "util/error.h"

namespace because::mpi {
namespace {

std::string error_of(const Comm& comm, const std::string& spec, const std::string& option) {
  try {
    rank_device(comm, spec, option);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(RankDevice, CpuStaysAndErrorsNameTheOption) {
  const auto comm = Comm::world();
  EXPECT_EQ(rank_device(comm, "cpu", "model.device"), "cpu");
  EXPECT_NE(error_of(comm, "tpu", "model.device").find("model.device"), std::string::npos);
  EXPECT_NE(error_of(comm, "cuda:x", "train.device").find("train.device"), std::string::npos);
  if (!torch::cuda::is_available()) {
    const std::string e = error_of(comm, "cuda", "model.device");
    EXPECT_NE(e.find("model.device = cuda: no CUDA device"), std::string::npos) << e;
    return;
  }
  const int gpus = static_cast<int>(torch::cuda::device_count());
  MPI_Comm node;
  ASSERT_EQ(MPI_Comm_split_type(comm.get(), MPI_COMM_TYPE_SHARED, comm.rank(), MPI_INFO_NULL, &node), MPI_SUCCESS);
  int local = 0;
  MPI_Comm_rank(node, &local);
  MPI_Comm_free(&node);
  EXPECT_EQ(rank_device(comm, "cuda", "model.device"), "cuda:" + std::to_string(local % gpus));
  EXPECT_EQ(rank_device(comm, "cuda:0", "model.device"), "cuda:0");
  EXPECT_NE(error_of(comm, "cuda:" + std::to_string(gpus), "model.device").find("CUDA device(s)"), std::string::npos);
}

TEST(RankDevice, LocalRanksSpreadOverGpus) {
  EXPECT_EQ(gpu_for_local_rank(0, 4), 0);
  EXPECT_EQ(gpu_for_local_rank(3, 4), 3);
  EXPECT_EQ(gpu_for_local_rank(5, 4), 1);
  EXPECT_EQ(gpu_for_local_rank(2, 1), 0);
}

TEST(RankDevice, TheStageLogNamesTheTorchBackendsDevice) {
  const auto comm = Comm::world();
  config::Config cfg;
  cfg.model.device = "cpu";
  EXPECT_EQ(device_note("torch", with_rank_model_device(comm, cfg, "torch")), " on cpu (rank 0)");
  cfg.model.device = "cuda:3";  // other backends keep the option as it is and say nothing of it
  EXPECT_EQ(with_rank_model_device(comm, cfg, "openai").model.device, "cuda:3");
  EXPECT_EQ(device_note("openai", cfg), "");
}

}  // namespace
}  // namespace because::mpi
