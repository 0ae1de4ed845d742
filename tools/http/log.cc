#include "tools/http/log.h"

#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>

#include "events/time.h"
#include "tools/commands/data_dir.h"

namespace paystream::http {

void log_line(std::string_view level, std::string_view message, const nlohmann::json& context) {
  nlohmann::json line = context.is_object() ? context : nlohmann::json::object();
  line["time"] = format_timestamp(now_utc());
  line["level"] = level;
  line["message"] = message;
  const std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  static std::mutex mutex;  // one stderr per process: the lock guards that resource, not our state
  std::lock_guard lock(mutex);
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace paystream::http
