// Synthetic instances and chunks for the store tests and benchmark.
#pragma once

#include <string>
#include <vector>

#include "store/schema.h"
#include "store/shard.h"

namespace because::store::synth {

/// Instance `row` of a deterministic synthetic NLI corpus (multi-byte UTF-8, empty text_b
/// every 7th row, human explanations every 3rd row).
corpus::Instance synth_instance(int64_t row, int text_len = 60);
/// Chunk `id` of `rows` instances with `k` model explanations each.
ShardChunk synth_chunk(int64_t id, int64_t rows, int k, int text_len = 60);
std::vector<std::string> nli();

}  // namespace because::store::synth
