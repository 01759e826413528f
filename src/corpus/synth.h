// Synthetic NLI-like corpora for scale tests: JSON lines in the sample layout (uid, premise,
// hypothesis, label, explanations, split), with MNLI-like length spread (premises mostly 8-40
// words with a long tail, hypotheses 4-15), all three labels, and explanations on about a
// quarter of the rows. Deterministic for a seed; memory does not depend on the row count.
#pragma once

#include <cstdint>
#include <string>

namespace because::corpus {

struct SynthResult {
  int64_t rows = 0;
  uint64_t bytes = 0;
};

/// Writes `rows` rows to `path` (atomically: PATH.tmp then rename). Throws Error on I/O failure.
SynthResult write_synthetic(const std::string& path, int64_t rows, uint64_t seed);

}  // namespace because::corpus
