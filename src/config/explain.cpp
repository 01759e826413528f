// Registration of the [explain] options.
#include "config/explain.h"

namespace because::config {

void add_options(Options& o, ExplainConfig& c) {
  o.add("explain.name", &c.name,
        "explanation set name: shards go to RUN/shards/explain-NAME and the explanations' source is NAME, so "
        "several explain stages (modes, prompts, models) merge into one store (empty: set 'explain', source = the "
        "template's name)");
  o.add("explain.backend", &c.backend, "backend: torch, openai, import");
  o.add("explain.mode", &c.mode, "label-free (one request per label), label-guided (gold or annotator labels), free");
  o.add("explain.guide", &c.guide, "label-guided by: gold (one per item) or votes (one per annotator label)");
  o.add("explain.prompt", &c.prompt, "prompt template file");
  o.add("explain.chat", &c.chat, "chat template: auto (template's setting, then the model's), yes, no");
  o.add("explain.split", &c.split, "list outputs: none (one explanation), first, longest, all entries");
  o.add("explain.samples", &c.samples, "samples per request (k)");
  o.add("explain.max_new_tokens", &c.max_new_tokens, "maximum generated tokens per explanation");
  o.add("explain.temperature", &c.temperature, "sampling temperature (0: greedy)");
  o.add("explain.top_p", &c.top_p, "nucleus sampling threshold");
  o.add("explain.top_k", &c.top_k, "top-k sampling (0: off)");
  o.add("explain.batch_size", &c.batch_size, "sequences decoded together");
  o.add("explain.api_url", &c.api_url, "openai: base URL of the OpenAI-compatible server");
  o.add("explain.api_model", &c.api_model, "openai: model name sent in requests");
  o.add("explain.api", &c.api, "openai: chat (/chat/completions) or completions (/completions)");
  o.add("explain.api_key_env", &c.api_key_env, "openai: environment variable holding the key (never logged)");
  o.add("explain.api_key_file", &c.api_key_file, "openai: file holding the key (wins over the variable)");
  o.add("explain.api_in_flight", &c.api_in_flight, "openai: concurrent requests per rank");
  o.add("explain.api_retries", &c.api_retries, "openai: retries per request after the first try");
  o.add("explain.api_timeout", &c.api_timeout, "openai: per-request timeout (s)");
  o.add("explain.api_backoff", &c.api_backoff, "openai: first retry delay (s), doubled per retry, with jitter");
  o.add("explain.api_backoff_max", &c.api_backoff_max, "openai: longest retry delay (s)");
  o.add("explain.api_top_logprobs", &c.api_top_logprobs, "openai: top logprobs asked for label scores");
  o.add("explain.import_path", &c.import_path, "import: CSV or JSONL file of explanations");
  o.add("explain.import_match", &c.import_match, "import: match rows to instances by uid, by text (premise + hypothesis), or helpful-nle (the first study's CSVs, by the helpful-nle adapter's uid)");
  o.add("explain.import_text_column", &c.import_text_column, "import: column holding the explanation");
  // Operational knobs that do not change the output.
  o.not_hashed("explain.batch_size").not_hashed("explain.api_in_flight").not_hashed("explain.api_retries")
      .not_hashed("explain.api_timeout").not_hashed("explain.api_backoff").not_hashed("explain.api_backoff_max")
      .not_hashed("explain.api_key_env").not_hashed("explain.api_key_file");
}

}  // namespace because::config
