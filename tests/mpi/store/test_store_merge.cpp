// Parallel merge: every rank writes shards of dynamically distributed chunks, all ranks merge
// with collective parallel-HDF5 writes; the digest equals that of a one-process reference.
#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <filesystem>

#include "../../unit/store/store_test_util.h"
#include "mpi/comm.h"
#include "mpi/store_merge.h"
#include "store/check.h"
#include "store/reader.h"
#include "store/shard.h"
#include "store/update.h"

namespace fs = std::filesystem;
using namespace because;
using namespace because::store;

TEST(StoreMerge, DigestIndependentOfRankCount) {
  auto comm = mpi::Comm::world();
  std::string run;
  if (comm.root()) {
    run = fs::temp_directory_path().string() + "/because_mpi_merge_" + std::to_string(getpid());
    fs::remove_all(run);
  }
  comm.bcast(run);
  const int kChunks = 11;
  {
    ShardOptions o;
    o.run_dir = run;
    o.rank = comm.rank();
    o.config_hash = "mpi";
    o.label_set = "nli";
    o.labels = synth::nli();
    o.commit_rows = 100;
    o.write.chunk_rows = 64;  // many HDF5 chunks shared by ranks
    o.write.chunk_bytes = 4096;
    ShardWriter w(o);
    for (int c = comm.rank(); c < kChunks; c += comm.size()) w.append(synth::synth_chunk(c, 37, 3));
  }
  comm.barrier();
  MergeOptions mo;
  mo.run_dir = run;
  mo.batch_rows = 50;  // several rounds
  mo.write.chunk_rows = 100;
  mo.write.chunk_bytes = 5000;
  mo.provenance.command = "merge";
  mo.provenance.ranks = comm.size();
  const auto res = mpi::merge_store(comm, mo);
  EXPECT_EQ(res.n_instances, kChunks * 37);
  EXPECT_EQ(res.n_chunks, kChunks);
  // Judgments computed from the merged store, by rank, merged in afterwards.
  {
    ShardOptions o;
    o.run_dir = run;
    o.set = "judge";
    o.rank = comm.rank();
    o.config_hash = "judge";
    o.label_set = "nli";
    o.labels = synth::nli();
    o.judgments_name = "mjd";
    o.n_perms = 1;
    ShardWriter w(o);
    for (int c = comm.rank(); c < 4; c += comm.size()) {
      ShardChunk ch;
      ch.id = c;
      for (int64_t row = c * 10; row < c * 10 + 10; ++row)
        ch.judgments.push_back({row, {0.2f, 0.3f, 0.5f}, {static_cast<float>(row), 0, 1}});
      w.append(ch);
    }
  }
  comm.barrier();
  mo.sets = {"judge"};
  mo.provenance.command = "merge judge";
  mpi::merge_store(comm, mo);
  if (comm.root()) {
    const std::string store = run + "/store.h5";
    const auto rep = verify_store(store);
    for (const auto& f : rep.faults) ADD_FAILURE() << f.where << ": " << f.what;
    // One-process reference built from the same records.
    std::vector<corpus::Instance> all;
    std::vector<Explanation> ex;
    for (int c = 0; c < kChunks; ++c) {
      auto ch = synth::synth_chunk(c, 37, 3);
      for (auto& e : human_explanations(ch.instances)) ex.push_back(e);
      for (auto& e : ch.explanations) ex.push_back(e);
      for (auto& in : ch.instances) all.push_back(in);
    }
    StoreInfo info;
    info.label_set = "nli";
    info.labels = synth::nli();
    create_store(run + "/ref.h5", info, all, ex);
    JudgmentSet j{"mjd", "{}", 3, 1, {}, {}, {}};
    for (int64_t row = 0; row < 40; ++row) {
      j.instance.push_back(row);
      for (float v : {0.2f, 0.3f, 0.5f}) j.probs.push_back(v);
      for (float v : {static_cast<float>(row), 0.f, 1.f}) j.scores.push_back(v);
    }
    write_judgments(run + "/ref.h5", j);
    EXPECT_EQ(digest_store(store), digest_store(run + "/ref.h5"));
    StoreReader r(store);
    EXPECT_EQ(r.read_provenance().size(), 2u);
    EXPECT_EQ(r.read_provenance()[0].ranks, comm.size());
    std::printf("digest %s with %d ranks\n", digest_store(store).c_str(), comm.size());
    fs::remove_all(run);
  }
}
