// Async-signal-safe stop flag.
#include "util/signals.h"

#include <csignal>

namespace because::signals {
namespace {
volatile std::sig_atomic_t g_signal = 0;
volatile std::sig_atomic_t g_sigint_count = 0;

extern "C" void on_stop_signal(int sig) {
  if (sig == SIGINT && ++g_sigint_count > 1) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_signal = sig;
}
}  // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

bool stop_requested() { return g_signal != 0; }
int stop_signal() { return g_signal; }
void request_stop(int sig) { g_signal = sig; }
void reset() {
  g_signal = 0;
  g_sigint_count = 0;
}

}  // namespace because::signals
