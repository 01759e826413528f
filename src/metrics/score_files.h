// The file-level scorers behind `because metrics nlg|dist|cls`: read the inputs, score them with
// the metric states, and render the result as JSON or as a readable block.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "metrics/nlg.h"

namespace because::metrics {

/// Lines of a text file (one segment per line, like sacreBLEU's command line): split on '\n',
/// a trailing '\r' removed, no extra empty segment after a final newline.
std::vector<std::string> read_lines(const std::string& path);

/// NLG scores of `hyp_path` against one or more reference files of the same line count.
/// Throws InputError naming the file whose line count differs.
nlohmann::json score_nlg_files(const std::string& hyp_path, const std::vector<std::string>& ref_paths,
                               const NlgOptions& opt = {});

/// One vector per JSONL line: a JSON array of numbers, or an object holding one under
/// "probs", "dist", "label_dist", "counts" or "label_counts".
std::vector<std::vector<double>> read_vectors(const std::string& path);

/// Mean KL, JS distance, TVD, entropies and their correlation, and distance correlation of the
/// predicted vectors against the target (human) vectors.
nlohmann::json score_dist_files(const std::string& target_path, const std::string& pred_path);

/// Classification metrics of predicted labels against gold labels, one label per line: integer
/// ids, label names (sorted like scikit-learn's unique labels), or a JSON array of scores
/// (its argmax). An empty gold line or -1 means no gold (skipped).
nlohmann::json score_cls_files(const std::string& gold_path, const std::string& pred_path);

/// Human-readable rendering of the JSON above.
std::string format_nlg(const nlohmann::json& j);
std::string format_dist(const nlohmann::json& j);
std::string format_cls(const nlohmann::json& j);

}  // namespace because::metrics
