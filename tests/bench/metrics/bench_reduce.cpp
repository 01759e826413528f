// Benchmark of `because reduce`: a synthetic store of N instances (BECAUSE_BENCH_INSTANCES,
// default 1,000,000) with 3 model explanations (2 guided, 1 label-free) and 1 human explanation
// each plus a judgment set; prints the seconds (wall, and CPU of all ranks) to read the same
// columns without computing (the bound) and those of reduce_store (the fastest of
// BECAUSE_BENCH_PASSES passes of each, default 2), with and without METEOR, with the default
// scoring threads per rank (BECAUSE_BENCH_THREADS overrides) and, when that is more, with one.
// Distance correlation of the N-item judgment group is O(N^2) and is left out here
// (reduce.dcor_max_items).
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "bench_sentences.h"
#include "mpi/comm.h"
#include "mpi/reduce_store.h"
#include "store/reader.h"
#include "store/update.h"

using namespace because;
namespace fs = std::filesystem;

namespace {

using bench::sentence;

void make_store(const std::string& path, int64_t n) {
  std::mt19937_64 rng(7);
  std::vector<corpus::Instance> inst;
  std::vector<store::Explanation> ex;
  inst.reserve(n);
  ex.reserve(n * 4);
  store::JudgmentSet j;
  j.name = "mjd";
  j.n_labels = 3;
  j.n_perms = 1;
  for (int64_t i = 0; i < n; ++i) {
    corpus::Instance in;
    in.row = i;
    in.uid = "s" + std::to_string(i);
    in.dataset = "synth";
    in.split = i % 10 ? "train" : "dev";
    in.text_a = sentence(rng, 12);
    in.text_b = sentence(rng, 6);
    in.gold = static_cast<int>(rng() % 3);
    in.label_counts = {static_cast<uint16_t>(rng() % 5), static_cast<uint16_t>(rng() % 5), static_cast<uint16_t>(1 + rng() % 5)};
    inst.push_back(std::move(in));
    ex.push_back({i, inst.back().gold, 0, "human", sentence(rng, 8 + static_cast<int>(rng() % 8)), 0, NAN,
                  store::Finish::kStop, ""});
    for (int k = 0; k < 3; ++k)
      ex.push_back({i, k < 2 ? k : -1, 0, "llm", sentence(rng, 10 + static_cast<int>(rng() % 10)), 20, -5.0f,
                    store::Finish::kStop, ""});
    j.instance.push_back(i);
    float a = static_cast<float>(rng() % 100 + 1), b = static_cast<float>(rng() % 100 + 1), c = static_cast<float>(rng() % 100 + 1);
    const float s = a + b + c;
    for (float v : {a / s, b / s, c / s}) {
      j.probs.push_back(v);
      j.scores.push_back(std::log(v));
    }
  }
  store::StoreInfo info;
  info.label_set = "nli";
  info.labels = {"entailment", "neutral", "contradiction"};
  store::create_store(path + ".tmp", info, inst, ex);
  store::write_judgments(path + ".tmp", j);
  fs::rename(path + ".tmp", path);
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// CPU seconds of this process, all threads (user + system): on a shared machine a steadier
// figure than the wall clock.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + 1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

}  // namespace

TEST(BenchReduce, SyntheticStore) {
  const auto world = mpi::Comm::world();
  const char* env = std::getenv("BECAUSE_BENCH_INSTANCES");
  const int64_t n = env ? std::atoll(env) : 1000000;
  const char* bin = std::getenv("BECAUSE_BINARY_DIR");
  const std::string dir = std::string(bin ? bin : ".") + "/bench_data";
  const std::string path = dir + "/metrics_reduce_" + std::to_string(n) + ".h5";
  if (world.root() && !fs::exists(path)) {
    fs::create_directories(dir);
    const auto t = std::chrono::steady_clock::now();
    make_store(path, n);
    std::printf("created %s in %.1f s\n", path.c_str(), seconds_since(t));
  }
  world.barrier();

  config::ReduceConfig cfg;
  cfg.dcor_max_items = 0;  // the O(N^2) distance correlation is measured separately, not here
  const char* threads_env = std::getenv("BECAUSE_BENCH_THREADS");
  cfg.threads = threads_env ? std::atoi(threads_env) : 0;

  // The bound: every rank reads its block of instances with their explanations and the judgments,
  // in batches of the reduce's size (smaller ones decompress the chunks they share more than
  // once). Wall seconds; CPU seconds of all ranks into *cpu.
  auto read_once = [&](double* cpu_out) {
    world.barrier();
    const auto t = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    {
      store::StoreReader r(path);
      const int64_t total = r.n_instances();
      const int64_t begin = total * world.rank() / world.size(), end = total * (world.rank() + 1) / world.size();
      int64_t bytes = 0;
      for (const auto& name : r.judgment_names())
        bytes += static_cast<int64_t>(r.read_judgments(name).probs.size());
      for (int64_t b = begin; b < end; b += cfg.batch_rows) {
        const auto batch = r.read_batch(b, std::min(end, b + cfg.batch_rows));
        for (const auto& e : batch.explanations) bytes += static_cast<int64_t>(e.text.size());
      }
      EXPECT_GT(bytes, 0);
    }
    *cpu_out = world.sum(cpu_seconds() - c0);
    world.barrier();
    return seconds_since(t);
  };
  auto timed = [&](const config::ReduceConfig& c, nlohmann::json& m, double* cpu) {
    world.barrier();
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = cpu_seconds();
    m = mpi::reduce_store(world, path, c);
    *cpu = world.sum(cpu_seconds() - c0);
    world.barrier();
    return seconds_since(t0);
  };
  // The read and the reduce by turns, BECAUSE_BENCH_PASSES times (default 2), the fastest of each
  // counting: the first read may find the file out of the page cache, which would flatter the
  // ratios below, and on a shared machine one run of either may be slowed by others.
  const char* passes_env = std::getenv("BECAUSE_BENCH_PASSES");
  const int passes = std::max(1, passes_env ? std::atoi(passes_env) : 2);
  double t_read = 1e300, cpu_read = 1e300, t_full = 1e300, cpu_full = 1e300;
  nlohmann::json m, m2, m1;
  for (int pass = 0; pass < passes; ++pass) {
    double cpu = 0;
    t_read = std::min(t_read, read_once(&cpu));
    cpu_read = std::min(cpu_read, cpu);
    t_full = std::min(t_full, timed(cfg, m, &cpu));
    cpu_full = std::min(cpu_full, cpu);
  }
  double cpu_no_meteor = 0, cpu_one = 0;
  const int64_t threads = world.max(m.is_null() ? 0 : m["threads_per_rank"].get<int64_t>());  // root's
  auto no_meteor = cfg;
  no_meteor.meteor = false;
  const double t_no_meteor = timed(no_meteor, m2, &cpu_no_meteor);
  auto one = cfg;
  one.threads = 1;
  const double t_one = threads > 1 ? timed(one, m1, &cpu_one) : t_full;

  if (world.root()) {
    ASSERT_EQ(m["n_instances"].get<int64_t>(), n);
    std::printf("\nreduce bench: %lld instances, %lld explanations, %d rank(s), %lld scoring thread(s) per rank\n",
                static_cast<long long>(n), static_cast<long long>(m["n_explanations"].get<int64_t>()), world.size(),
                static_cast<long long>(threads));
    std::printf("read and reduce: the fastest of %d passes by turns; the others: one run\n", passes);
    std::printf("                                    wall                     CPU, all ranks\n");
    std::printf("  read same columns (bound)     %8.2f s                  %8.2f s\n", t_read, cpu_read);
    std::printf("  reduce, all metrics           %8.2f s  (%.1fx the read)  %8.2f s\n", t_full, t_full / t_read, cpu_full);
    std::printf("  reduce, without METEOR        %8.2f s  (%.1fx the read)  %8.2f s\n", t_no_meteor, t_no_meteor / t_read,
                cpu_no_meteor);
    if (threads > 1)
      std::printf("  reduce, all metrics, 1 thread %8.2f s  (%.1fx the read)  %8.2f s\n", t_one, t_one / t_read, cpu_one);
    std::printf("%s\n", mpi::format_reduce(m).c_str());
  }
}
