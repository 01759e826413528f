// The backend interface behind `because explain` and `because judge`: text generation with
// per-request seeds, and first-token scores of a set of choices (label letters).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "corpus/instance.h"

namespace because::generate {

/// Why a generation ended (stored as uint8 in /explanations/finish).
enum class Finish : uint8_t { kStop = 0, kLength = 1, kError = 2 };
const char* finish_name(Finish f);

/// Sampling parameters shared by every request of a run.
struct SamplingParams {
  int max_new_tokens = 48;   ///< tokens generated at most
  double temperature = 0.0;  ///< 0: greedy
  double top_p = 1.0;        ///< nucleus threshold
  int top_k = 0;             ///< 0: off
  nlohmann::json to_json() const;
};

/// One text to generate.
struct GenRequest {
  std::string prompt;  ///< user text (the template's [prompt], rendered)
  std::string system;  ///< system text ("" when none)
  bool chat = false;   ///< apply the model's chat template / use chat completions
  uint64_t seed = 0;   ///< per-sequence sampling seed
  const corpus::Instance* instance = nullptr;  ///< the item (import matches on it); not owned
  int label = -1;      ///< label asked for (-1: none)
  int sample = 0;      ///< sample index
};

struct GenResult {
  std::string text;            ///< generated text (raw, before post-processing)
  Finish finish = Finish::kStop;
  std::string error;           ///< reason when finish == kError ("prompt_too_long: ...", "http_500: ...")
  int64_t n_prompt_tokens = 0; ///< tokens in the prompt
  int64_t n_tokens = 0;        ///< generated tokens
  double logprob = 0.0;        ///< sum of the generated tokens' log-probabilities (0 when unknown)
};

/// One prompt whose next-token scores of the choices are wanted.
struct ScoreRequest {
  std::string prompt;
  std::string system;
  bool chat = false;
};

struct ScoreResult {
  std::vector<double> scores;  ///< one per choice: raw first-token logit (torch) or logprob (openai)
  std::string error;           ///< non-empty: item-level failure
  int64_t n_prompt_tokens = 0;
};

/// Counters a backend keeps (requests, retries, errors by reason); written to the per-rank stats.
struct BackendStats {
  std::map<std::string, int64_t> counts;
  void add(const std::string& key, int64_t n = 1) { counts[key] += n; }
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// "torch", "openai", "import".
  virtual std::string name() const = 0;
  /// Backend, model (path and hash) and anything else that identifies what produced the output.
  virtual nlohmann::json provenance() const = 0;
  /// One result per request, in order. Item-level failures are results with Finish::kError;
  /// run-level failures throw BackendError.
  virtual std::vector<GenResult> generate(const std::vector<GenRequest>& requests, const SamplingParams& params) = 0;
  /// Next-token scores of `choices` (e.g. "A", "B", "C") after each prompt.
  virtual std::vector<ScoreResult> score_choices(const std::vector<ScoreRequest>& requests,
                                                 const std::vector<std::string>& choices) = 0;
  /// Whether the chat template applies when a template says chat = auto.
  virtual bool has_chat_template() const { return false; }
  const BackendStats& stats() const { return stats_; }

 protected:
  BackendStats stats_;
};

}  // namespace because::generate
