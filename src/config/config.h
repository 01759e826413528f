// The one Config of `because`: nested per-section structs, parsed once from the command line and
// the job file, validated once. Every field has a default and a one-line comment with its unit.
#pragma once

#include "config/corpus.h"
#include "config/explain.h"
#include "config/general.h"
#include "config/judge.h"
#include "config/model.h"
#include "config/options.h"
#include "config/pipeline.h"
#include "config/reduce.h"
#include "config/store.h"
#include "config/train.h"

namespace because::config {

struct Config {
  GeneralConfig general;
  CorpusConfig corpus;
  StoreConfig store;
  ModelConfig model;
  ExplainConfig explain;
  JudgeConfig judge;
  TrainConfig train;
  ReduceConfig reduce;
  PipelineConfig pipeline;
};

/// Registers every section's options bound to `c` (a job file may hold sections a command does
/// not use; they are still validated).
void add_all_options(Options& o, Config& c);

}  // namespace because::config
