// docs/openapi.yaml against the server: GET /v1/openapi.json serves it without a token, its paths
// are exactly the routes the server registers (make_router's, read in process, so that neither
// list is kept by hand here), and it holds together: every operation is named and answers
// something, every path parameter is declared, every $ref leads somewhere.
#include <cctype>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "tests/tools/http/api_test_support.h"
#include "tools/http/embedded_backend.h"
#include "tools/http/routes.h"
#include "tools/runtime/runtime.h"

namespace paystream::http_test {
namespace {

// The spec as the server serves it, fetched without a token.
json served_spec() {
  Api api;
  const httplib::Result result = api.server->client("")->Get("/v1/openapi.json");
  REQUIRE(result);
  REQUIRE(result->status == 200);
  return json::parse(result->body);
}

// "GET /v1/accounts/{id}": the router's patterns and OpenAPI's path templates both write a path
// parameter as {name}, so both sets are named alike without rewriting either.
using Endpoints = std::set<std::string>;

Endpoints server_endpoints() {
  TempDir data;
  LedgerOptions options;
  options.data_dir = data.path();
  Result<std::unique_ptr<Runtime>> runtime = open_runtime(options);
  INFO((runtime ? std::string() : runtime.error().message));
  REQUIRE(runtime.ok());
  http::EmbeddedBackend backend(**runtime);
  http::Metrics metrics;
  http::ApiContext context{backend, metrics, http::ApiLimits{}, std::nullopt};
  Endpoints endpoints;
  for (const http::Endpoint& endpoint : http::make_router(context).endpoints()) {
    endpoints.insert(endpoint.method + " " + endpoint.pattern);
  }
  return endpoints;
}

// The operations of a path item: its members named after HTTP methods (it also has others, such
// as "parameters").
const std::vector<std::string>& operation_methods() {
  static const std::vector<std::string> methods = {"get",     "put",  "post",  "delete",
                                                   "options", "head", "patch", "trace"};
  return methods;
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

Endpoints spec_endpoints(const json& spec) {
  Endpoints endpoints;
  for (const auto& [path, item] : spec.at("paths").items()) {
    for (const std::string& method : operation_methods()) {
      if (item.contains(method)) endpoints.insert(upper(method) + " " + path);
    }
  }
  return endpoints;
}

// What a local reference ("#/components/schemas/Money") points at; nullopt when it leads nowhere.
std::optional<json> resolved(const json& spec, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return std::nullopt;
  try {
    const json::json_pointer pointer(ref.substr(1));
    if (!spec.contains(pointer)) return std::nullopt;
    return spec.at(pointer);
  } catch (const json::exception&) {
    return std::nullopt;  // not a JSON pointer
  }
}

// Every "$ref" under `node`, with where it is.
void collect_refs(const json& node, const std::string& where,
                  std::vector<std::pair<std::string, std::string>>& refs) {
  if (node.is_object()) {
    if (node.contains("$ref") && node.at("$ref").is_string()) {
      refs.emplace_back(where, node.at("$ref").get<std::string>());
    }
    for (const auto& [key, value] : node.items()) collect_refs(value, where + "/" + key, refs);
  } else if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) collect_refs(node[i], where + "/" + std::to_string(i), refs);
  }
}

// The names of the {name} segments of a path template.
std::set<std::string> template_parameters(const std::string& path) {
  std::set<std::string> names;
  for (size_t open = path.find('{'); open != std::string::npos; open = path.find('{', open + 1)) {
    const size_t close = path.find('}', open);
    if (close == std::string::npos) break;
    names.insert(path.substr(open + 1, close - open - 1));
  }
  return names;
}

// The names of the path parameters declared in `parameters` (a path item's or an operation's).
void add_declared_path_parameters(const json& spec, const json& item, std::set<std::string>& names) {
  if (!item.contains("parameters")) return;
  for (const json& parameter : item.at("parameters")) {
    const std::optional<json> declared = parameter.contains("$ref")
                                             ? resolved(spec, parameter.at("$ref").get<std::string>())
                                             : std::optional<json>(parameter);
    if (declared && declared->value("in", "") == "path" && declared->value("required", false)) {
      names.insert(declared->value("name", ""));
    }
  }
}

}  // namespace

TEST_CASE("GET /v1/openapi.json serves docs/openapi.yaml as OpenAPI 3.1 JSON without a token",
          "[http][openapi]") {
  Api api;
  auto anonymous = api.server->client("");
  const httplib::Result result = anonymous->Get("/v1/openapi.json");
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(result->get_header_value("Content-Type") == "application/json");
  const json spec = json_of(result);
  REQUIRE(spec.at("openapi").is_string());
  CHECK(spec.at("openapi").get<std::string>().rfind("3.1", 0) == 0);
  CHECK(spec.at("paths").contains("/v1/openapi.json"));
  CHECK(refusal_of(anonymous->Get("/v1/openapi.json?format=yaml")) ==
        std::pair<int, std::string>(400, "invalid_argument"));
}

TEST_CASE("docs/openapi.yaml describes exactly the routes the server registers", "[http][openapi]") {
  const Endpoints served = server_endpoints();
  const Endpoints described = spec_endpoints(served_spec());
  for (const std::string& endpoint : served) {
    if (described.count(endpoint) == 0) {
      FAIL_CHECK(endpoint << ": a route of the server that docs/openapi.yaml does not describe");
    }
  }
  for (const std::string& endpoint : described) {
    if (served.count(endpoint) == 0) {
      FAIL_CHECK(endpoint << ": in docs/openapi.yaml, but the server has no such route");
    }
  }
  CHECK(served.size() > 30);  // the router was really read: make_router registers every route
}

TEST_CASE("every operation of docs/openapi.yaml is named and answers, and every reference resolves",
          "[http][openapi]") {
  const json spec = served_spec();
  std::set<std::string> operation_ids;
  for (const auto& [path, item] : spec.at("paths").items()) {
    const std::set<std::string> in_template = template_parameters(path);
    for (const std::string& method : operation_methods()) {
      if (!item.contains(method)) continue;
      const json& operation = item.at(method);
      const std::string name = upper(method) + " " + path;
      INFO(name);
      const std::string id = operation.value("operationId", "");
      CHECK_FALSE(id.empty());
      CHECK(operation_ids.insert(id).second);  // operationIds are unique
      CHECK(operation.contains("responses"));
      CHECK_FALSE(operation.value("responses", json::object()).empty());
      std::set<std::string> declared;
      add_declared_path_parameters(spec, item, declared);
      add_declared_path_parameters(spec, operation, declared);
      CHECK(declared == in_template);
    }
  }
  std::vector<std::pair<std::string, std::string>> refs;
  collect_refs(spec, "#", refs);
  CHECK(refs.size() > 100);
  for (const auto& [where, ref] : refs) {
    if (!resolved(spec, ref)) FAIL_CHECK(where << ": $ref " << ref << " leads nowhere");
  }
}

}  // namespace paystream::http_test
