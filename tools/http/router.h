#pragma once
// The route table: method + path pattern -> handler. Patterns are literal segments and {name}
// segments ("/v1/accounts/{id}/payments"), a {name} matching one non-empty segment. A path that
// no pattern matches is 404; a path some pattern matches under another method is 405 with Allow.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/http/http_api.h"

namespace paystream::http {

struct Caller;

using RouteHandler = std::function<ApiResponse(const ApiRequest&, const Caller&)>;

enum class Auth {
  required,  // a bearer token of an enabled operator (401 otherwise)
  none,      // /healthz, /metrics
};

struct Route {
  std::string method;
  std::string pattern;  // also the route's label in metrics
  Auth auth = Auth::required;
  RouteHandler handler;
};

// A route without its handler. docs/openapi.yaml must describe each route's method and pattern
// (tests/tools/http/api_openapi_test.cc compares the two sets).
struct Endpoint {
  std::string method;
  std::string pattern;
};

class Router {
 public:
  void add(std::string method, std::string pattern, Auth auth, RouteHandler handler);

  // The route for the request, with request.path_params filled in; nullptr when none matches, and
  // then `refusal` says why (404 or 405).
  const Route* match(ApiRequest& request, ApiResponse& refusal) const;
  // The pattern matching this method and path, for metrics labels ("unmatched" when none).
  std::string label(std::string_view method, std::string_view path) const;
  // Every route's method and pattern, in the order they were added.
  std::vector<Endpoint> endpoints() const;

 private:
  std::vector<Route> routes_;
};

}  // namespace paystream::http
