// A fixed set of threads that run one task in parts, so that the calling thread can do other
// work (read the next batch) while the parts run.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace because {

class WorkerPool {
 public:
  /// `threads` >= 1. With one thread no thread is started: run() runs the task itself.
  explicit WorkerPool(int threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int size() const { return size_; }
  /// Starts fn(0) .. fn(size() - 1), part p on thread p, and returns (with one thread: after
  /// fn(0) returned). The previous task must have been waited for.
  void run(std::function<void(int)> fn);
  /// Blocks until every part of the task returned; rethrows the first exception a part threw.
  void wait();

 private:
  void loop(int part);
  int size_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable start_, done_;
  std::function<void(int)> fn_;
  uint64_t task_ = 0;  // number of tasks started
  int pending_ = 0;    // parts of the current task still running
  bool stop_ = false;
  std::exception_ptr error_;
};

}  // namespace because
