#include "tools/commands/stop_signals.h"

#include <pthread.h>
#include <unistd.h>

namespace paystream {
namespace {

const sigset_t& stop_signal_set() {
  static const sigset_t set = [] {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGINT);
    sigaddset(&s, SIGTERM);
    return s;
  }();
  return set;
}

}  // namespace

StopSignals::StopSignals() { pthread_sigmask(SIG_BLOCK, &stop_signal_set(), &previous_); }

void StopSignals::listen(std::function<void()> on_stop) {
  waiter_ = std::thread([this, on_stop = std::move(on_stop)] {
    int received = 0;
    sigwait(&stop_signal_set(), &received);
    stop_ = true;
    if (!stopping_ && on_stop) on_stop();
  });
}

void StopSignals::stop_listening() {
  if (!waiter_.joinable()) return;
  // The waiter returns on this signal, which stays blocked (so pending) in every thread.
  stopping_ = true;
  if (!stop_) ::kill(::getpid(), SIGTERM);
  waiter_.join();
}

StopSignals::~StopSignals() {
  stop_listening();
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace paystream
