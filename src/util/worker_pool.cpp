// WorkerPool: one task at a time, a generation counter wakes every thread for it.
#include "util/worker_pool.h"

#include <stdexcept>
#include <string>

namespace because {

WorkerPool::WorkerPool(int threads) : size_(threads) {
  if (threads < 1) throw std::invalid_argument("WorkerPool: " + std::to_string(threads) + " threads (at least 1)");
  if (threads == 1) return;
  threads_.reserve(static_cast<size_t>(threads));
  for (int p = 0; p < threads; ++p) threads_.emplace_back([this, p] { loop(p); });
}

WorkerPool::~WorkerPool() {
  {
    // A task still running (its caller unwinding) may use what the caller owns: let it end first.
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    stop_ = true;
  }
  start_.notify_all();
  for (auto& t : threads_) t.join();
}

void WorkerPool::run(std::function<void(int)> fn) {
  if (threads_.empty()) {
    try {
      fn(0);
    } catch (...) {
      error_ = std::current_exception();
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pending_ != 0) throw std::logic_error("WorkerPool::run: the previous task is still running");
    fn_ = std::move(fn);
    pending_ = size_;
    ++task_;
  }
  start_.notify_all();
}

void WorkerPool::wait() {
  std::exception_ptr e;
  {
    std::unique_lock<std::mutex> lock(mu_);
    done_.wait(lock, [this] { return pending_ == 0; });
    e = error_;
    error_ = nullptr;
  }
  if (e) std::rethrow_exception(e);
}

void WorkerPool::loop(int part) {
  uint64_t seen = 0;
  while (true) {
    std::function<void(int)>* fn = nullptr;
    {
      std::unique_lock<std::mutex> lock(mu_);
      start_.wait(lock, [&] { return stop_ || task_ != seen; });
      if (stop_) return;
      seen = task_;
      fn = &fn_;
    }
    std::exception_ptr e;
    try {
      (*fn)(part);
    } catch (...) {
      e = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (e && !error_) error_ = e;
    if (--pending_ == 0) done_.notify_all();
  }
}

}  // namespace because
