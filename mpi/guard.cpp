// Top-level exception handling across ranks.
#include "mpi/guard.h"

#include <cstdio>
#include <exception>

#include "util/error.h"
#include "util/signals.h"

namespace because::mpi {
namespace {
void print_error(const Comm& comm, const char* kind, const char* what) {
  if (comm.size() > 1) {
    std::fprintf(stderr, "[rank %d] %s%s\n", comm.rank(), kind, what);
  } else {
    std::fprintf(stderr, "because: %s%s\n", kind, what);
  }
  std::fflush(stderr);
}
}  // namespace

int run_guarded(const Comm& comm, const std::function<int()>& body) {
  int code = 1;
  try {
    return body();
  } catch (const ConfigError& e) {
    // Config errors come from parsing, which every rank does identically before any collective:
    // all ranks throw the same error, so only rank 0 prints it and all exit 2 without an abort.
    if (comm.rank() == 0) print_error(comm, "error: ", e.what());
    return 2;
  } catch (const Interrupted& e) {
    if (comm.rank() == 0) print_error(comm, "", e.what());
    return signals::kExitRequeue;
  } catch (const Error& e) {
    print_error(comm, "error: ", e.what());
  } catch (const std::exception& e) {
    print_error(comm, "internal error: ", e.what());
  } catch (...) {
    print_error(comm, "internal error: ", "unknown exception");
  }
  if (comm.size() > 1) comm.abort(code);
  return code;
}

}  // namespace because::mpi
