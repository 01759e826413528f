// Options of the [explain] section of a job file (--explain.KEY on the command line).
#pragma once

#include <cstdint>
#include <string>

#include "config/options.h"

namespace because::config {

struct ExplainConfig {
  std::string name;  ///< explanation set name: shard set explain-NAME, source NAME (empty: set "explain", source = template name)
  std::string backend = "torch";  ///< backend: torch, openai, import
  std::string mode = "label-guided";  ///< label-free (one request per label), label-guided (gold or annotator labels), free
  std::string guide = "gold";  ///< label-guided by: gold (one per item) or votes (one per annotator label)
  std::string prompt = "jobs/prompts/one_sentence.txt";  ///< prompt template file
  std::string chat = "auto";  ///< chat template: auto (template's setting, then the model's), yes, no
  std::string split = "none";  ///< list outputs: none (one explanation), first, longest, all entries
  int samples = 1;  ///< samples per request (k)
  int max_new_tokens = 48;  ///< maximum generated tokens per explanation
  double temperature = 0.0;  ///< sampling temperature (0: greedy)
  double top_p = 1.0;  ///< nucleus sampling threshold
  int top_k = 0;  ///< top-k sampling (0: off)
  int batch_size = 16;  ///< sequences decoded together
  std::string api_url = "http://127.0.0.1:8000/v1";  ///< openai: base URL of the OpenAI-compatible server
  std::string api_model = "";  ///< openai: model name sent in requests
  std::string api = "chat";  ///< openai: chat (/chat/completions) or completions (/completions)
  std::string api_key_env = "OPENAI_API_KEY";  ///< openai: environment variable holding the key (never logged)
  std::string api_key_file = "";  ///< openai: file holding the key (wins over the variable)
  int api_in_flight = 16;  ///< openai: concurrent requests per rank
  int api_retries = 5;  ///< openai: retries per request after the first try
  double api_timeout = 120;  ///< openai: per-request timeout (s)
  double api_backoff = 1.0;  ///< openai: first retry delay (s), doubled per retry, with jitter
  double api_backoff_max = 60;  ///< openai: longest retry delay (s)
  int api_top_logprobs = 20;  ///< openai: top logprobs asked for label scores
  std::string import_path = "";  ///< import: CSV or JSONL file of explanations
  std::string import_match = "uid";  ///< import: match rows to instances by uid or by text (premise + hypothesis)
  std::string import_text_column = "explanation";  ///< import: column holding the explanation
};

void add_options(Options& o, ExplainConfig& c);

}  // namespace because::config
