// The run-directory lock (fcntl write lock on RUN/.lock, host+pid fallback).
#include "store/lock.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "store/schema.h"
#include "util/error.h"
#include "util/files.h"
#include "util/log.h"

namespace because::store {

namespace {
std::string host_name() {
  char buf[256] = "";
  gethostname(buf, sizeof buf - 1);
  return buf;
}
std::string read_fd(int fd) {
  std::string s;
  char buf[512];
  ::lseek(fd, 0, SEEK_SET);
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}
}  // namespace

RunLock::RunLock(const std::string& run_dir, const std::string& command) : path_(run_dir + "/.lock") {
  files::make_dirs(run_dir);
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_errno("cannot open the run lock " + path_);
  struct flock fl {};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (::fcntl(fd_, F_SETLK, &fl) != 0) {
    const int err = errno;
    const std::string holder = read_fd(fd_);
    if (err == EACCES || err == EAGAIN) {
      ::close(fd_);
      fd_ = -1;
      throw StoreError("run directory " + run_dir + " is in use by another run (" + holder.substr(0, holder.find('\n')) +
                       "); wait for it to finish or use another --run");
    }
    if (err != ENOLCK && err != EOPNOTSUPP) {
      ::close(fd_);
      fd_ = -1;
      errno = err;
      throw_errno("cannot lock " + path_);
    }
    // No fcntl locks on this file system: decide by the recorded host and pid.
    std::istringstream is(holder);
    std::string host;
    long pid = 0;
    if (is >> host >> pid && pid > 0) {
      const bool alive = host != host_name() || ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
      if (alive && !(host == host_name() && pid == ::getpid())) {
        ::close(fd_);
        fd_ = -1;
        throw StoreError("run directory " + run_dir + " is in use by " + host + ":" + std::to_string(pid) +
                         " (file locks unsupported here; if that job is gone, remove " + path_ + ")");
      }
      log::warn("taking over the stale run lock ", path_, " of ", host, ":", pid);
    }
  }
  const std::string me = host_name() + " " + std::to_string(::getpid()) + " " + iso_now() + " " + command + "\n";
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size()))
    log::warn("cannot record the holder in ", path_);
}

RunLock::~RunLock() {
  if (fd_ < 0) return;
  if (::ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);  // releases the fcntl lock
}

}  // namespace because::store
