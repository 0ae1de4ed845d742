#pragma once
// The server's log: one JSON object per line on standard error ({"level":..,"message":..} plus
// context members). Thread-safe; lines never interleave.
#include <nlohmann/json_fwd.hpp>
#include <string_view>

namespace paystream::http {

void log_line(std::string_view level, std::string_view message, const nlohmann::json& context);

}  // namespace paystream::http
