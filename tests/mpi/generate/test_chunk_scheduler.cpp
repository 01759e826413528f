// Dynamic chunk claiming: every chunk is handed out exactly once across ranks, in todo order.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <sstream>
#include <thread>

#include "mpi/chunk_scheduler.h"

using namespace because;

TEST(ChunkScheduler, EveryChunkExactlyOnce) {
  auto comm = mpi::Comm::world();
  std::vector<int64_t> todo;
  for (int64_t c = 0; c < 200; c += 2) todo.push_back(c);  // e.g. odd chunks already done
  mpi::ChunkScheduler s(comm, todo);
  std::vector<int64_t> mine;
  for (int64_t c; (c = s.next()) >= 0;) {
    mine.push_back(c);
    if (comm.rank() == 1) std::this_thread::sleep_for(std::chrono::microseconds(200));  // a slow rank
  }
  EXPECT_EQ(s.next(), -1);
  EXPECT_EQ(s.n_claimed(), static_cast<int64_t>(mine.size()));
  // Claimed in increasing order on each rank (the counter only grows).
  EXPECT_TRUE(std::is_sorted(mine.begin(), mine.end()));
  std::ostringstream os;
  for (auto c : mine) os << c << ' ';
  const auto all = comm.allgather(os.str());
  std::multiset<int64_t> seen;
  for (const auto& s_ : all) {
    std::istringstream is(s_);
    int64_t v;
    while (is >> v) seen.insert(v);
  }
  EXPECT_EQ(seen.size(), todo.size());
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()), std::set<int64_t>(todo.begin(), todo.end()));
  s.close();
}

TEST(ChunkScheduler, EmptyTodo) {
  auto comm = mpi::Comm::world();
  mpi::ChunkScheduler s(comm, {});
  EXPECT_EQ(s.next(), -1);
  s.close();
}
