// GET /healthz and GET /metrics: for load balancers and Prometheus, without a token. They show
// positions and counts only, never an account, an amount or an operator.
#include <nlohmann/json.hpp>

#include "tools/http/routes.h"
#include "tools/http/write_support.h"

namespace paystream::http {
namespace {

// 503 when the backend cannot serve as it should (Kafka mode: its projections stopped on a corrupt
// history, so every write would wait in vain), for a load balancer to take it out.
ApiResponse health(ApiContext& context) {
  const uint64_t position = context.backend.positions().log_end;
  if (const std::optional<std::string> failure = context.backend.failure()) {
    return json_response(503, {{"status", "failing"}, {"reason", *failure}, {"log_position", position}});
  }
  nlohmann::json body{{"status", "ok"}, {"log_position", position}};
  if (const std::optional<std::string> notice = context.backend.notice()) body["detail"] = *notice;
  return json_response(200, body);
}

ApiResponse metrics(ApiContext& context) {
  const BackendPositions backend = context.backend.positions();
  Metrics::Positions positions{backend.log_end, backend.projection_lag};
  ApiResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = context.metrics.render(positions);
  return response;
}

}  // namespace

void add_status_routes(Router& router, ApiContext& context) {
  router.add("GET", "/healthz", Auth::none,
             [&context](const ApiRequest&, const Caller&) { return health(context); });
  router.add("GET", "/metrics", Auth::none,
             [&context](const ApiRequest&, const Caller&) { return metrics(context); });
}

Router make_router(ApiContext& context) {
  Router router;
  add_status_routes(router, context);
  add_openapi_route(router);
  add_account_routes(router, context);
  add_money_routes(router, context);
  add_command_routes(router, context);
  add_query_routes(router, context);
  add_parameter_routes(router, context);
  add_operator_routes(router, context);
  add_card_routes(router, context);
  add_report_routes(router, context);
  add_audit_routes(router, context);
  add_maintenance_routes(router, context);
  return router;
}

}  // namespace paystream::http
