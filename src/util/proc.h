// Facts about this process for stage statistics.
#pragma once

#include <cstdint>

namespace because::proc {

/// Peak resident set size of this process so far (bytes; getrusage's ru_maxrss).
int64_t peak_rss_bytes();

/// Makes glibc serve large allocations from the heap and keep freed memory for the next ones,
/// instead of a fresh mmap per allocation that is unmapped again on free. Stages allocate and free
/// buffers of tens to hundreds of MB over and over (libtorch tensors of a forward pass, the
/// merge's column slices and HDF5 reads per round); with glibc's defaults each one is
/// page-faulted and zeroed anew: judging spent 3/4 of its time there, the merge 1/5. Costs up
/// to the largest transient buffer in peak RSS. Call first thing in main(); does nothing when
/// the user set GLIBC_TUNABLES to something (theirs win). Every executable that runs the stages
/// calls it (the `because` command, the benchmarks, the MPI tests), so that the benchmarks
/// measure what the command runs.
void tune_allocator();

/// CPUs this process may run on (its affinity mask: a core binding by mpirun or a Slurm
/// cpuset), at least 1.
int usable_cpus();

/// Threads for one rank's CPU work: `requested` when positive, otherwise the CPUs of the node
/// shared by the ranks on it (`ranks_on_node`), capped at this process's usable_cpus().
int threads_per_rank(int requested, int ranks_on_node);

}  // namespace because::proc
