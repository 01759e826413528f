// Test program: rank 1 throws while rank 0 waits in a barrier; run_guarded must abort the job.
#include <unistd.h>

#include <cstdlib>

#include "mpi/guard.h"
#include "util/error.h"

int main(int argc, char** argv) {
  because::mpi::Environment env(&argc, &argv);
  const auto world = because::mpi::Comm::world();
  return because::mpi::run_guarded(world, [&]() -> int {
    if (world.rank() == 1) {
      ::usleep(200000);
      throw because::InputError("corpus.jsonl:17: simulated failure on one rank");
    }
    world.barrier();  // would hang forever without the abort
    return 0;
  });
}
