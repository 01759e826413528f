// Explanation requests from instances (modes label-free, label-guided by gold or by annotator
// votes, free; k samples each) and post-processing of the generated text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corpus/instance.h"
#include "generate/backend.h"
#include "generate/prompt.h"

namespace because::generate {

enum class Mode { kLabelFree, kLabelGuided, kFree };
enum class Guide { kGold, kVotes };
enum class Split { kNone, kFirst, kLongest, kAll };

/// Parse option words; throw ConfigError naming the option.
Mode parse_mode(const std::string& s);
Guide parse_guide(const std::string& s);
Split parse_split(const std::string& s);

/// One explanation to produce.
struct Request {
  size_t item = 0;       ///< index into the instances given to build_requests
  int label = -1;        ///< label asked for (-1: free)
  int sample = 0;        ///< sample index within (item, label)
  GenRequest gen;        ///< what the backend receives
  std::string error;     ///< non-empty: the item cannot be asked (empty field, no gold label)
};

/// Placeholder values of an instance: text_a, text_b, premise, hypothesis, context, statement,
/// text, uid, dataset, split.
Vars instance_vars(const corpus::Instance& inst);

struct RequestOptions {
  Mode mode = Mode::kLabelGuided;
  Guide guide = Guide::kGold;
  int samples = 1;         ///< k per (item, label)
  uint64_t run_seed = 0;
  bool chat = false;       ///< apply the chat template (resolved from the template and backend)
};

/// Requests in a fixed order (item, label, sample), so that batching depends on the rows alone.
/// Seeds are hash::seed_of(run_seed, uid, label, sample). Items whose prompt cannot be built
/// (a placeholder's field is empty, no gold label) get one request carrying an error.
std::vector<Request> build_requests(const std::vector<corpus::Instance>& items, const PromptTemplate& tmpl,
                                    const corpus::LabelSet& labels, const RequestOptions& opt);

/// Collapses runs of spaces and tabs, trims every line, drops blank lines at both ends.
std::string clean_whitespace(const std::string& text);
/// Splits a list output into its entries: lines starting with a bullet (-, *, •) or a number
/// (1. 1) (1)) start a new entry; text before the first marker is a preamble and dropped when
/// markers exist. Without markers, non-empty lines are the entries.
std::vector<std::string> split_list(const std::string& text);
/// Applies whitespace cleanup and the split policy; entries are single-line. An empty vector
/// means the output was empty.
std::vector<std::string> postprocess(const std::string& raw, Split split);

}  // namespace because::generate
