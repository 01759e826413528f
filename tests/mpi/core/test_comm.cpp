// Collectives, progress aggregation and stop agreement across ranks.
#include <gtest/gtest.h>

#include <csignal>

#include "mpi/comm.h"
#include "mpi/progress.h"
#include "util/signals.h"

using namespace because;

TEST(Comm, Collectives) {
  const auto c = mpi::Comm::world();
  const int n = c.size();
  EXPECT_EQ(c.sum(int64_t{c.rank() + 1}), int64_t{n * (n + 1) / 2});
  EXPECT_EQ(c.max(int64_t{c.rank()}), n - 1);
  EXPECT_EQ(c.exscan(int64_t{10}), 10 * c.rank());
  std::vector<int64_t> v{1, int64_t{c.rank()}};
  c.sum_inplace(v);
  EXPECT_EQ(v[0], n);
  std::string s = c.root() ? "hello" : "";
  c.bcast(s);
  EXPECT_EQ(s, "hello");
  const auto all = c.allgather(std::string(c.rank() + 1, 'x'));
  ASSERT_EQ(static_cast<int>(all.size()), n);
  for (int r = 0; r < n; ++r) EXPECT_EQ(all[r].size(), static_cast<size_t>(r + 1));
  EXPECT_TRUE(c.any(c.rank() == n - 1));
  EXPECT_FALSE(c.all(c.rank() == n - 1 && n > 1));
}

TEST(Comm, GlobalProgressCountsEveryRank) {
  const auto c = mpi::Comm::world();
  mpi::GlobalProgress p(c, {"instances", "errors"}, 0, 1000);
  for (int i = 0; i < 5; ++i) p.add({int64_t{c.rank() + 1}, 1});
  const auto totals = p.finish();
  const int n = c.size();
  EXPECT_EQ(totals[0], 5 * n * (n + 1) / 2);
  EXPECT_EQ(totals[1], 5 * n);
}

TEST(Comm, StopOnOneRankIsSeenByAll) {
  const auto c = mpi::Comm::world();
  signals::reset();
  EXPECT_FALSE(mpi::any_stop_requested(c));
  if (c.rank() == c.size() - 1) signals::request_stop(SIGUSR1);
  EXPECT_TRUE(mpi::any_stop_requested(c));
  EXPECT_TRUE(signals::stop_requested());
  signals::reset();
}
