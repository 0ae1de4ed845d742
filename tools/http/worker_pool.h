#pragma once
// cpp-httplib's task queue with a bound: `threads` workers serve accepted connections; at most
// `queued_max` wait for one, after which enqueue() (the accept loop) waits, and new connections
// queue in the kernel's listen backlog instead of in memory. (httplib's ThreadPool never refuses.)
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

namespace paystream::http {

class WorkerPool final : public httplib::TaskQueue {
 public:
  WorkerPool(size_t threads, size_t queued_max);
  ~WorkerPool() override;
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void enqueue(std::function<void()> task) override;
  // Runs what is queued, then joins the workers.
  void shutdown() override;

 private:
  void work();

  const size_t queued_max_;
  std::mutex mutex_;
  std::condition_variable has_task_;   // for workers
  std::condition_variable has_room_;   // for enqueue()
  std::deque<std::function<void()>> tasks_;
  bool shutting_down_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace paystream::http
