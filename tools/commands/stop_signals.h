#pragma once
// SIGINT and SIGTERM as a stop flag for the long-running commands of Kafka mode (serve --kafka,
// project --kafka): the signals are blocked in every thread (so librdkafka's threads never take
// them) and one thread waits for them with sigwait.
#include <signal.h>

#include <atomic>
#include <functional>
#include <thread>

namespace paystream {

class StopSignals {
 public:
  // Blocks the signals: construct before any other thread starts (librdkafka's included).
  StopSignals();
  // Stops the waiting thread and restores the signal mask.
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Starts the thread that sets stop() on the first signal, then calls on_stop (if any).
  void listen(std::function<void()> on_stop = nullptr);
  // Ends the listening thread without a signal (the destructor does too).
  void stop_listening();
  const std::atomic<bool>& stop() const { return stop_; }

 private:
  sigset_t previous_{};
  std::atomic<bool> stop_ = false;
  std::atomic<bool> stopping_ = false;  // stop_listening() sent the signal itself
  std::thread waiter_;
};

}  // namespace paystream
