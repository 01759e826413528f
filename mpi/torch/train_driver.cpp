// The distributed `because train` stage (see train_driver.h).
#include "mpi/torch/train_driver.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "mpi/corpus_index.h"
#include "mpi/torch/device.h"
#include "mpi/torch/train_loop.h"
#include "store/update.h"
#include "text/trainer.h"
#include "train/classifier.h"
#include "train/dataset.h"
#include "train/decoder_tasks.h"
#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/log.h"

namespace because::mpi {
namespace fs = std::filesystem;
namespace {

train::TrainData load_source(const config::Config& cfg, const std::string& run_dir) {
  const auto& t = cfg.train;
  const std::string expl = t.task == "reasoning" && !t.reasoning ? "none" : t.explanations;
  const std::string expl_source = t.task == "explainer" && expl == "none" ? "human" : expl;
  if (t.data == "store") {
    const std::string path = t.store.empty() ? run_dir + "/store.h5" : t.store;
    if (!files::exists(path))
      throw InputError("train.store: store '" + path + "' does not exist (run `because merge` first, or set train.data = corpus)");
    return train::load_store_data(path, expl_source, t.task == "classify" ? t.targets : "gold", t.judgments);
  }
  if (t.data == "corpus") {
    if (!cfg.corpus.path.empty() && !files::exists(cfg.corpus.path))
      throw InputError("corpus.path: '" + cfg.corpus.path + "' does not exist (see data/README.md and data/fetch.sh)");
    return train::load_corpus_data(cfg.corpus, expl_source, t.task == "classify" ? t.targets : "gold");
  }
  throw ConfigError("train.data: unknown value '" + t.data + "' (use store or corpus)");
}

train::TrainData load_data(const config::Config& cfg, const std::string& run_dir) {
  const auto& t = cfg.train;
  auto d = load_source(cfg, run_dir);
  train::apply_holdout(d, t.train_split, t.holdout, cfg.general.seed);
  if (!t.eval_corpus.empty()) {
    if (!files::exists(t.eval_corpus))
      throw InputError("train.eval_corpus: '" + t.eval_corpus + "' does not exist (see data/README.md and data/fetch.sh)");
    config::CorpusConfig c = cfg.corpus;
    c.path = t.eval_corpus;
    c.dataset = t.eval_dataset;
    c.split = "";
    c.limit = 0;
    train::add_eval_corpus(d, c, t.eval_corpus_split, t.explanations);
  }
  return d;
}

// Tokenizer: given, the init model's, or trained on the training texts (rank 0 writes it).
std::string prepare_tokenizer(const Comm& comm, const config::TrainConfig& t, const train::TrainData& data,
                              const std::string& work_dir) {
  if (!t.tokenizer.empty()) {
    if (!files::exists(t.tokenizer)) throw InputError("train.tokenizer: '" + t.tokenizer + "' does not exist");
    return t.tokenizer;
  }
  if (!t.init.empty()) {
    if (!files::exists(t.init + "/config.json"))
      throw InputError("train.init: '" + t.init + "' is not a model directory (no config.json)");
    return t.init;
  }
  const std::string dir = work_dir + "/tokenizer";
  if (comm.root() && !files::exists(dir + "/tokenizer.json")) {
    std::vector<std::string> texts;
    for (auto r : data.rows(t.train_split)) {
      const auto& inst = data.instances[static_cast<size_t>(r)];
      texts.push_back(inst.text_a);
      if (!inst.text_b.empty()) texts.push_back(inst.text_b);
      for (const auto& e : data.explanations[static_cast<size_t>(r)]) texts.push_back(e.text);
    }
    for (const auto& l : data.labels) texts.push_back("Label: " + l);
    if (t.task == "explainer" && files::exists(t.prompt)) texts.push_back(files::read_text(t.prompt));
    if (t.task == "reasoning") texts.push_back("Text: Premise: Hypothesis: Reasoning: Label:");
    text::BpeTrainOptions o;
    o.vocab_size = static_cast<int32_t>(t.vocab_size);
    o.add_bos = true;
    log::info("train: training a ", t.vocab_size, "-token BPE tokenizer on ", texts.size(), " texts");
    text::train_bpe_tokenizer(texts, o, dir);
  }
  comm.barrier();
  return dir;
}

std::unique_ptr<train::Task> make_task(const config::Config& cfg, const train::TrainData& data,
                                       const std::string& tok_dir) {
  const auto& t = cfg.train;
  if (t.task == "classify") return train::make_classifier(t, data, tok_dir, cfg.general.seed);
  if (t.task == "explainer") return train::make_explainer(t, data, tok_dir, cfg.general.seed);
  if (t.task == "reasoning") return train::make_reasoning(t, data, tok_dir, cfg.general.seed);
  throw ConfigError("train.task: unknown value '" + t.task + "' (use classify, explainer or reasoning)");
}

LoopConfig loop_config(const config::Config& cfg, const std::string& phase, const std::string& work_dir,
                       const std::string& log_path, const train::Task& task, const std::string& config_hash) {
  const auto& t = cfg.train;
  LoopConfig c;
  c.phase = phase;
  c.epochs = t.epochs;
  c.max_steps = t.max_steps;
  c.precision = t.precision;
  c.batch_size = t.batch_size;
  c.seed = cfg.general.seed;
  c.adamw.lr = t.lr;
  c.adamw.weight_decay = t.weight_decay;
  c.schedule = t.schedule;
  c.warmup = t.warmup;
  c.clip_norm = t.clip_norm;
  c.eval_every = t.eval_every;
  c.best_metric = t.best_metric;
  c.checkpoint_every = t.checkpoint_every;
  c.checkpoint_dir = work_dir + "/checkpoints/" + phase;
  c.log_path = log_path;
  c.log_every = t.log_every;
  c.bucket_bytes = t.bucket_mb << 20;
  c.fingerprint = config_hash + "/" + phase + "/n=" + std::to_string(task.n_train());
  return c;
}

}  // namespace

TrainStageResult run_train_stage(const Comm& comm, const std::vector<config::Config>& phases,
                                 const std::string& run_dir, const std::string& config_hash) {
  const auto t0 = std::chrono::steady_clock::now();
  if (run_dir.empty()) throw ConfigError("because train needs --run DIR (the run directory)");
  if (phases.empty()) throw ConfigError("because train: no training phase");
  const auto& first = phases.front().train;
  TrainStageResult result;
  result.model_dir = run_dir + "/models/" + first.name;
  const std::string work_dir = run_dir + "/train/" + first.name;
  const std::string log_path = run_dir + "/logs/train-" + first.name + ".jsonl";
  const std::string done_path = result.model_dir + "/because_train.json";
  // A complete model of the same configuration is kept.
  bool done = false;
  if (files::exists(done_path)) {
    try {
      auto j = nlohmann::json::parse(files::read_text(done_path));
      done = j.value("config_hash", "") == config_hash;
      if (done) result.metrics = j.value("metrics", nlohmann::json::object());
    } catch (const nlohmann::json::exception&) {
    }
  }
  if (!comm.all(done) && comm.any(done)) throw Error(done_path + ": visible on some ranks only (shared file system?)");
  if (done) {
    log::info0("train: ", result.model_dir, " is complete for this configuration; nothing to do");
    result.skipped = true;
    return result;
  }
  if (comm.root()) {
    files::make_dirs(work_dir);
    files::make_dirs(run_dir + "/logs");
  }
  comm.barrier();

  std::unique_ptr<train::Task> task;
  std::unique_ptr<train::TrainData> data;
  std::string tok_dir;
  for (size_t k = 0; k < phases.size(); ++k) {
    const auto& cfg = phases[k];
    const std::string phase = phases.size() == 1 ? "train" : "phase" + std::to_string(k + 1);
    const torch::Device device(rank_device(comm, cfg.train.device, "train.device"));  // fails before any work
    auto next_data = std::make_unique<train::TrainData>(load_data(cfg, run_dir));
    if (!next_data->bad_rows.empty()) {  // every rank read the same rows (same bad rows on each)
      // Into RUN/quarantine.jsonl by rank 0; --strict: an error naming the first, on every rank.
      Quarantine q(comm, run_dir, cfg.general.strict);
      if (cfg.general.strict || comm.root()) q.add(next_data->bad_rows);
      q.finish();
      if (comm.root())
        log::warn("train: ", next_data->bad_rows.size(), " corpus rows left out (", run_dir,
                  "/quarantine.jsonl lists them with file, line and reason)");
    }
    if (k == 0) tok_dir = prepare_tokenizer(comm, cfg.train, *next_data, work_dir);
    auto next = make_task(cfg, *next_data, tok_dir);
    if (task) {  // continue from the previous phase's weights
      auto from = task->named_state();
      auto to = next->named_state();
      torch::NoGradGuard no_grad;
      for (auto& [name, t] : to) {
        auto it = std::find_if(from.begin(), from.end(), [&](const auto& p) { return p.first == name; });
        if (it == from.end() || it->second.sizes() != t.sizes())
          throw ConfigError("phase " + std::to_string(k + 1) + ": model differs from the previous phase at '" + name +
                            "' (phases must train the same model)");
        t.copy_(it->second);
      }
    }
    next->to_device(device);
    task = std::move(next);
    data = std::move(next_data);
    log::info0("train[", phase, "]: ", cfg.train.task, " on ", task->n_train(), " examples, ", comm.size(), " ranks, global batch ",
               cfg.train.batch_size, ", device ", cfg.train.device, ", precision ", cfg.train.precision);
    auto lc = loop_config(cfg, phase, work_dir, log_path, *task, config_hash);
    auto r = run_training(comm, *task, lc);
    if (r.train_s > 0)
      log::info0("train[", phase, "]: ", r.steps, " steps, ", static_cast<int64_t>(r.samples / r.train_s), " samples/s, ",
                 static_cast<int64_t>(r.tokens / r.train_s), " tokens/s, all-reduce wait ",
                 100.0 * r.allreduce_wait_s / r.train_s, "%");
  }
  // Final evaluation with predictions, then outputs (rank 0).
  std::map<std::string, torch::Tensor> probs;
  result.metrics = evaluate_all(comm, *task, &probs);
  std::vector<nlohmann::json> samples;
  if (auto* gen = dynamic_cast<train::GenerativeTask*>(task.get())) {
    const auto& last = phases.back().train;
    if (!last.eval_splits.items.empty() && comm.root()) {
      const std::string split = last.eval_splits.items.front();
      std::vector<int64_t> rows;
      for (int64_t i = 0; i < std::min<int64_t>(8, task->n_eval(split)); ++i) rows.push_back(i);
      const auto texts = gen->generate(split, rows);
      for (size_t i = 0; i < texts.size(); ++i)
        samples.push_back({{"split", split}, {"prompt", gen->prompt_of(split, rows[i])}, {"output", texts[i]}});
    }
  }
  if (comm.root()) {
    const std::string tmp = result.model_dir + ".tmp";
    files::remove_tree(tmp);
    task->save_model(tmp);
    std::string lines;
    for (const auto& s : samples) lines += s.dump() + "\n";
    if (!samples.empty()) files::write_atomic(tmp + "/samples.jsonl", lines);
    files::remove_tree(result.model_dir);
    files::make_dirs(run_dir + "/models");
    fs::rename(tmp, result.model_dir);
    if (data->from_store && !probs.empty() && !phases.back().train.eval_splits.items.empty()) {
      const auto& last = phases.back().train;
      const std::string store_path = last.store.empty() ? run_dir + "/store.h5" : last.store;
      store::PredictionSet p;
      p.name = first.name;
      p.n_labels = static_cast<int>(data->labels.size());
      nlohmann::json splits = nlohmann::json::array();
      for (const auto& [split, pr] : probs) {
        const auto& rows = data->rows(split);
        auto c = pr.contiguous();
        const int64_t L = c.size(1);
        bool any = false;
        for (size_t i = 0; i < rows.size(); ++i) {
          if (rows[i] >= data->n_store_rows) continue;  // rows of an extra evaluation corpus
          p.instance.push_back(rows[i]);
          const float* src = c.data_ptr<float>() + static_cast<int64_t>(i) * L;
          p.probs.insert(p.probs.end(), src, src + L);
          any = true;
        }
        if (any) splits.push_back(split);
      }
      p.attrs = nlohmann::json{{"model", result.model_dir}, {"splits", splits}, {"task", first.task},
                               {"config_hash", config_hash}}.dump();
      store::write_predictions(store_path, p);
      result.predictions_store = store_path;
      log::info0("train: predictions of ", p.instance.size(), " rows written to ", store_path, ":/predictions/", p.name);
    }
    files::write_atomic(log_path + ".final.json", result.metrics.dump(2) + "\n");
    files::write_atomic(done_path, nlohmann::json{{"config_hash", config_hash}, {"metrics", result.metrics}}.dump(2) + "\n");
    log::info0("train: model written to ", result.model_dir, "; metrics ", result.metrics.dump());
  }
  comm.barrier();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace because::mpi
