#!/bin/bash
# Device check (not part of ctest): run on a CUDA machine with python torch + transformers:
#   mkdir -p build/model_gpu && cp -r /usr/include/nlohmann build/model_gpu/ ; OUT=/tmp/out bash tests/unit/model/device/run.sh
# Builds src/model (+ util) against the device's Python PyTorch and compares with transformers.
set -u
cd "$(dirname "$0")/../../../.."
PY=$(command -v python3 || command -v python)
T=$($PY -c 'import torch,os;print(os.path.dirname(torch.__file__))')
ABI=$($PY -c 'import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
nvidia-smi --query-gpu=name --format=csv,noheader
echo "torch at $T abi $ABI"
# Needs nlohmann/json headers under $JSON_INC (default build/model_gpu, copied from /usr/include).
B=build/model_gpu
SRC=tests/unit/model/device
JSON_INC=${JSON_INC:-$B}
mkdir -p $B/obj
FLAGS="-O2 -std=c++17 -fPIC -D_GLIBCXX_USE_CXX11_ABI=$ABI -Isrc -I. -I$JSON_INC -isystem $T/include -isystem $T/include/torch/csrc/api/include"
pids=()
for f in src/util/error.cpp src/util/files.cpp src/util/log.cpp src/model/safetensors.cpp src/model/hf_config.cpp \
         src/model/decoder.cpp src/model/encoder.cpp src/model/weights.cpp $SRC/check_gpu.cpp; do
  g++ $FLAGS -c $f -o $B/obj/$(basename $f .cpp).o 2> $B/obj/$(basename $f .cpp).err &
  pids+=($!)
done
fail=0
for p in "${pids[@]}"; do wait $p || fail=1; done
if [ $fail = 1 ]; then cat $B/obj/*.err | grep -E "error" | head -30; exit 1; fi
g++ -o $B/check_gpu $B/obj/*.o -L$T/lib -Wl,-rpath,$T/lib -Wl,--no-as-needed -ltorch -ltorch_cuda -ltorch_cpu -lc10_cuda -lc10 -lpthread 2>&1 | tail -5
mkdir -p $OUT/models
$B/check_gpu $OUT/models || exit 1
$PY $SRC/compare.py $OUT/models 2>&1 | grep -v Warning
rm -rf $OUT/models/*/model.safetensors
