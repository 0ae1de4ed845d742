#include "tools/stop_signals.h"

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

void StopSignals::listen() {
  waiter_ = std::thread([this] {
    int received = 0;
    sigwait(&stop_signal_set(), &received);
    signalled_ = true;
    stop_ = true;
  });
}

StopSignals::~StopSignals() {
  if (waiter_.joinable()) {
    if (!signalled_) ::kill(::getpid(), SIGTERM);  // the waiter returns; the signal stays blocked here
    waiter_.join();
  }
  pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
}

}  // namespace paystream
