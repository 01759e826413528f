// The distributed `because judge` stage: label distributions from a multiple-choice prompt over
// every option order (and optionally several comment orders), for the instances of RUN/store.h5
// (comments: its model or human explanations) or, without a store, of the corpus (comments: the
// corpus' human explanations). Written as shard set judge-NAME, merged into /judgments/NAME.
#pragma once

#include "config/config.h"
#include "mpi/comm.h"
#include "mpi/torch/explain_driver.h"

namespace because::mpi {

/// Collective. Same resume and interruption rules as run_explain.
int run_judge(const Comm& comm, const config::Config& cfg, const StageInfo& info);

}  // namespace because::mpi
