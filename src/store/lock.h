// The run-directory lock: two runs writing the same RUN/ are refused; a crashed run's lock is
// recovered. RUN/.lock holds "host pid time command" and is held with an fcntl write lock for
// the process' lifetime (released by the kernel when the process dies, also on NFS/Lustre with
// locking). Where fcntl locks are unsupported (ENOLCK), the host+pid recorded in the file decide:
// same host and dead pid -> stale, taken over.
#pragma once

#include <string>

namespace because::store {

class RunLock {
 public:
  /// Takes RUN/.lock (creating RUN/). Throws StoreError naming the holder ("held by host:pid
  /// since ...; if that job is gone, remove RUN/.lock") when another live process holds it.
  RunLock(const std::string& run_dir, const std::string& command);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace because::store
