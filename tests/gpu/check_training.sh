#!/usr/bin/env bash
# GPU check of the training stage (CI has no GPU; the GPU tests of the suite skip there):
# configures build/gpu against a CUDA libtorch, builds the training tests and benchmark, and
# runs them on the node's first GPU: the data-parallel loop on CUDA against the CPU run (1 and 2
# ranks), float16 loss scaling, the classifier (bfloat16, float16) and the explainer (bfloat16)
# trained on CUDA, then the training throughput in float32 / bfloat16 / float16.
#   tests/gpu/check_training.sh [LIBTORCH_CMAKE_DIR] [-- extra cmake arguments]
# LIBTORCH_CMAKE_DIR defaults to the python torch package's (torch.utils.cmake_prefix_path).
# Needs the project's other dependencies (MPI, parallel HDF5, Boost, ...) installed.
# With PyTorch's wheel, std::filesystem::remove_all resolves to a broken copy exported by its
# libtorch.so; the project uses files::remove_tree instead (util/files.h).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
torch_dir=${1:-$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')}
shift $(( $# > 0 ? 1 : 0 ))
[[ ${1:-} == -- ]] && shift
cmake -S . -B build/gpu -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$torch_dir" "$@"
cmake --build build/gpu --target test_mpi_train test_mpi_train_tasks test_train bench_train
mpi=(mpiexec --oversubscribe -x OMP_NUM_THREADS=1 -x BECAUSE_SOURCE_DIR="$root")
[[ $(id -u) == 0 ]] && mpi+=(--allow-run-as-root)
t=build/gpu/tests
"$t/unit/train/test_train"
"${mpi[@]}" -n 1 "$t/mpi/train/test_mpi_train"
"${mpi[@]}" -n 2 "$t/mpi/train/test_mpi_train"
"${mpi[@]}" -n 1 "$t/mpi/train/test_mpi_train_tasks" --gtest_filter='Tasks.TrainOnCuda*'
"${mpi[@]}" -n 1 "$t/bench/train/bench_train" 256 30 cuda
