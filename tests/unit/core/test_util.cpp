// Utilities: signal flag, progress line, hashing, atomic writes.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <vector>
#include <filesystem>
#include <string>
#include <thread>

#include <malloc.h>
#include <unistd.h>

#include "util/error.h"
#include "util/files.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/proc.h"
#include "util/progress.h"
#include "util/signals.h"
#include "util/worker_pool.h"

using namespace because;

TEST(Signals, StopSignalsSetTheFlag) {
  signals::install_stop_handlers();
  for (int sig : {SIGUSR1, SIGTERM, SIGINT}) {
    signals::reset();
    EXPECT_FALSE(signals::stop_requested());
    std::raise(sig);
    EXPECT_TRUE(signals::stop_requested()) << sig;
    EXPECT_EQ(signals::stop_signal(), sig);
  }
  signals::reset();
}

TEST(Progress, LineHasCountsRateAndEta) {
  Progress p("instances", 200, 10.0);
  const auto line = p.line(50, "3 errors");
  EXPECT_NE(line.find("50/200 instances"), std::string::npos) << line;
  EXPECT_NE(line.find("25.0%"), std::string::npos) << line;
  EXPECT_NE(line.find("ETA"), std::string::npos) << line;
  EXPECT_NE(line.find("3 errors"), std::string::npos) << line;
  EXPECT_EQ(Progress::format_duration(3723), "1h02m03s");
  EXPECT_EQ(Progress::format_duration(125), "2m05s");
}

TEST(Hash, StableAndSensitive) {
  EXPECT_EQ(hash::xxh64("abc"), hash::xxh64("abc"));
  EXPECT_NE(hash::xxh64("abc"), hash::xxh64("abd"));
  hash::Hasher a, b;
  a.update_framed("ab");
  a.update_framed("c");
  b.update_framed("a");
  b.update_framed("bc");
  EXPECT_NE(a.hex(), b.hex());
  EXPECT_EQ(a.hex().size(), 32u);
  EXPECT_NE(hash::seed_of(1, "u1", 0, 0), hash::seed_of(1, "u1", 1, 0));
  EXPECT_EQ(hash::seed_of(1, "u1", 2, 3), hash::seed_of(1, "u1", 2, 3));
}

TEST(Files, AtomicWriteReplaces) {
  const auto dir = std::filesystem::temp_directory_path() / "because_test_files";
  files::make_dirs(dir.string());
  const auto p = (dir / "x.txt").string();
  files::write_atomic(p, "one");
  files::write_atomic(p, "two");
  EXPECT_EQ(files::read_text(p), "two");
  EXPECT_THROW(files::read_text((dir / "missing").string()), InputError);
}

TEST(Files, RemoveTreeRemovesEverythingButFollowsNoLink) {
  namespace fs = std::filesystem;
  const auto base = fs::temp_directory_path() / ("because_test_rm_" + std::to_string(::getpid()));
  const auto keep = base / "outside";
  const auto tree = base / "tree";
  files::make_dirs((tree / "a" / "b").string());
  files::make_dirs(keep.string());
  files::write_atomic((keep / "kept.txt").string(), "k");
  files::write_atomic((tree / "a" / "b" / "f.txt").string(), "x");
  files::write_atomic((tree / "g.txt").string(), "y");
  fs::create_directory_symlink(keep, tree / "link");
  files::remove_tree(tree.string());
  EXPECT_FALSE(fs::exists(tree));
  EXPECT_TRUE(fs::exists(keep / "kept.txt"));  // the link was removed, not followed
  files::remove_tree(tree.string());            // absent: nothing to do
  files::remove_tree((keep / "kept.txt").string());  // a plain file
  EXPECT_FALSE(fs::exists(keep / "kept.txt"));
  files::remove_tree(base.string());
  EXPECT_FALSE(fs::exists(base));
}

TEST(Log, ParseLevel) {
  EXPECT_EQ(log::parse_level("debug"), log::Level::kDebug);
  EXPECT_THROW(log::parse_level("loud"), ConfigError);
}

// 64 MB: above glibc's default mmap threshold (at most 32 MB), so by default it is an mmap of its
// own, unmapped again on free; after tune_allocator it comes from the heap.
static bool large_buffer_is_mmapped() {
  constexpr size_t kBytes = size_t(64) << 20;
  const size_t before = mallinfo2().hblks;
  static char* volatile keep;  // the compiler may not drop the allocation
  keep = static_cast<char*>(std::malloc(kBytes));
  const bool mmapped = mallinfo2().hblks > before;
  std::free(keep);
  return mmapped;
}

TEST(Proc, TuneAllocatorServesLargeBuffersFromTheHeapUnlessTheUserTunes) {
  const char* user = std::getenv("GLIBC_TUNABLES");
  if (user != nullptr && *user != '\0') GTEST_SKIP() << "GLIBC_TUNABLES is set for this run";
  EXPECT_TRUE(large_buffer_is_mmapped());
  setenv("GLIBC_TUNABLES", "glibc.malloc.check=0", 1);  // the user's setting: left alone
  proc::tune_allocator();
  EXPECT_TRUE(large_buffer_is_mmapped());
  setenv("GLIBC_TUNABLES", "", 1);  // empty: tunes nothing, so tune_allocator does
  proc::tune_allocator();
  EXPECT_FALSE(large_buffer_is_mmapped());
  unsetenv("GLIBC_TUNABLES");
}

TEST(Proc, ThreadsPerRankSharesTheNodeAndHonoursTheBinding) {
  EXPECT_EQ(proc::threads_per_rank(5, 1), 5);  // asked for: as asked
  const int cpus = proc::usable_cpus();
  EXPECT_GE(cpus, 1);
  EXPECT_GE(proc::threads_per_rank(0, 1), 1);
  EXPECT_LE(proc::threads_per_rank(0, 1), cpus);
  EXPECT_EQ(proc::threads_per_rank(0, 100000), 1);  // more ranks than CPUs: one each
}

TEST(WorkerPool, RunsEveryPartOnceWhileTheCallerWorksAndRethrows) {
  for (const int threads : {1, 3}) {
    WorkerPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int task = 0; task < 50; ++task) {
      std::vector<int> hits(static_cast<size_t>(threads), 0);
      std::atomic<int> total{0};
      pool.run([&](int p) {
        ++hits[static_cast<size_t>(p)];
        total += task;
      });
      pool.wait();
      for (int h : hits) EXPECT_EQ(h, 1);
      EXPECT_EQ(total.load(), task * threads);
    }
    pool.run([](int p) {
      if (p == 0) throw std::runtime_error("part 0 failed");
    });
    EXPECT_THROW(pool.wait(), std::runtime_error);
    // The pool goes on after a failed task.
    std::atomic<int> n{0};
    pool.run([&](int) { ++n; });
    pool.wait();
    EXPECT_EQ(n.load(), threads);
  }
  EXPECT_THROW(WorkerPool(0), std::invalid_argument);
  // Destroyed without wait() (its caller unwinding): the running task ends first.
  std::atomic<int> finished{0};
  {
    WorkerPool pool(2);
    pool.run([&](int) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++finished;
    });
  }
  EXPECT_EQ(finished.load(), 2);
}
