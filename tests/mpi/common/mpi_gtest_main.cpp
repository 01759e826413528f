// Shared GoogleTest main for MPI tests: MPI is initialised once, only rank 0 prints, and every
// rank exits with the same status (failure on any rank fails all).
#include <gtest/gtest.h>
#include <mpi.h>

#include "util/proc.h"

int main(int argc, char** argv) {
  because::proc::tune_allocator();  // MPI tests and benchmarks run the stages as `because` does
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int local = RUN_ALL_TESTS();
  int global = 0;
  MPI_Allreduce(&local, &global, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0 && global != local) std::fprintf(stderr, "a test failed on another rank\n");
  MPI_Finalize();
  return global;
}
