// Crash safety: a shard writer killed with SIGKILL at many moments (inside segment writes,
// flushes, renames and ledger appends) leaves only complete, verifiable chunks, and resuming
// reaches the digest of an uninterrupted run.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "store/check.h"
#include "store/merge.h"
#include "store/shard.h"
#include "store_test_util.h"

namespace fs = std::filesystem;
using namespace because::store;

namespace {
constexpr int kChunks = 24;

ShardOptions opts(const std::string& run) {
  ShardOptions o;
  o.run_dir = run;
  o.config_hash = "crash";
  o.label_set = "nli";
  o.labels = synth::nli();
  o.commit_rows = 1;
  return o;
}

// Writes every chunk that is not done yet (what a resumed stage does).
void write_all(const std::string& run) {
  const auto done = completed_chunks(run, "explain");
  ShardWriter w(opts(run));
  for (int c = 0; c < kChunks; ++c)
    if (!done.count(c)) w.append(synth::synth_chunk(c, 40, 3, 200));
}

std::string final_digest(const std::string& run) {
  SerialMergeComm comm;
  MergeOptions o;
  o.run_dir = run;
  merge_shards(comm, o);
  return digest_store(run + "/store.h5");
}

double run_child(const std::string& run, double kill_after_s) {
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    write_all(run);
    _exit(0);
  }
  if (kill_after_s >= 0) {
    std::this_thread::sleep_for(std::chrono::duration<double>(kill_after_s));
    kill(pid, SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

TEST(CrashSafety, KillNineAtManyPointsThenResume) {
  const std::string base = fs::temp_directory_path().string() + "/because_crash_" + std::to_string(getpid());
  fs::remove_all(base);
  const std::string ref_run = base + "/ref";
  const double full = run_child(ref_run, -1);
  const std::string ref = final_digest(ref_run);
  const int kPoints = 24;
  int partial = 0;
  for (int k = 0; k < kPoints; ++k) {
    const std::string run = base + "/k" + std::to_string(k);
    // Spread the kills over the whole write, with a jitter so they land inside different steps.
    const double at = full * (k + 0.37 * ((k * 7) % 5) / 5.0) / kPoints;
    run_child(run, at);
    // Whatever the ledgers list must be complete and verifiable.
    const auto listed = list_committed(run, "explain");
    partial += static_cast<int>(listed.size()) < kChunks;
    std::set<std::string> segments;
    for (const auto& c : listed) segments.insert(c.segment_path);
    for (const auto& s : segments) {
      const auto rep = verify_store(s);
      for (const auto& f : rep.faults) ADD_FAILURE() << "kill " << k << ": " << f.where << ": " << f.what;
    }
    // Resume (twice: the second finds nothing to do) and compare with the uninterrupted run.
    write_all(run);
    write_all(run);
    EXPECT_EQ(completed_chunks(run, "explain").size(), static_cast<size_t>(kChunks));
    EXPECT_EQ(final_digest(run), ref) << "kill point " << k << " at " << at << " s";
    fs::remove_all(run);
  }
  std::printf("uninterrupted write %.3f s; %d of %d kills left a partial run\n", full, partial, kPoints);
  EXPECT_GE(partial, kPoints / 2);
  fs::remove_all(base);
}
