#include "tools/http/router.h"

#include <fmt/format.h>

#include "tools/http/errors.h"

namespace paystream::http {
namespace {

std::vector<std::string_view> segments_of(std::string_view path) {
  std::vector<std::string_view> segments;
  if (path.empty() || path.front() != '/') return segments;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    segments.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

// Matches `path` against `pattern`; fills `params` on success.
bool matches(std::string_view pattern, std::string_view path,
             std::vector<std::pair<std::string, std::string>>* params) {
  const std::vector<std::string_view> want = segments_of(pattern);
  const std::vector<std::string_view> have = segments_of(path);
  if (want.size() != have.size() || have.empty()) return false;
  std::vector<std::pair<std::string, std::string>> found;
  for (size_t i = 0; i < want.size(); ++i) {
    if (is_parameter(want[i])) {
      if (have[i].empty()) return false;
      found.emplace_back(std::string(want[i].substr(1, want[i].size() - 2)), std::string(have[i]));
    } else if (want[i] != have[i]) {
      return false;
    }
  }
  if (params != nullptr) *params = std::move(found);
  return true;
}

std::string_view routed_method(std::string_view method) { return method == "HEAD" ? "GET" : method; }

}  // namespace

std::string ApiRequest::path_param(std::string_view name) const {
  for (const auto& [key, value] : path_params) {
    if (key == name) return value;
  }
  return "";
}

void Router::add(std::string method, std::string pattern, Auth auth, RouteHandler handler) {
  routes_.push_back(Route{std::move(method), std::move(pattern), auth, std::move(handler)});
}

const Route* Router::match(ApiRequest& request, ApiResponse& refusal) const {
  std::string allowed;
  for (const Route& route : routes_) {
    if (!matches(route.pattern, request.path, nullptr)) continue;
    if (route.method == routed_method(request.method)) {
      matches(route.pattern, request.path, &request.path_params);
      return &route;
    }
    if (allowed.find(route.method) != std::string::npos) continue;
    if (!allowed.empty()) allowed += ", ";
    allowed += route.method;
  }
  if (allowed.empty()) {
    refusal = error_response(404, "route_not_found", fmt::format("no such endpoint: {}", request.path));
  } else {
    refusal = error_response(
        405, "method_not_allowed",
        fmt::format("{} does not take {}; it takes {}", request.path, request.method, allowed));
    refusal.headers.emplace_back("Allow", allowed);
  }
  return nullptr;
}

std::string Router::label(std::string_view method, std::string_view path) const {
  for (const Route& route : routes_) {
    if (route.method == routed_method(method) && matches(route.pattern, path, nullptr)) return route.pattern;
  }
  return "unmatched";
}

std::vector<Endpoint> Router::endpoints() const {
  std::vector<Endpoint> all;
  all.reserve(routes_.size());
  for (const Route& route : routes_) all.push_back(Endpoint{route.method, route.pattern});
  return all;
}

}  // namespace paystream::http
