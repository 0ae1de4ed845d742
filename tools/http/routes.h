#pragma once
// The API's endpoints (docs/api.md), grouped by what they touch. Each add_* registers its routes;
// `context` must outlive the router.
#include <filesystem>
#include <optional>

#include "events/result.h"
#include "tools/http/api_context.h"
#include "tools/http/router.h"

namespace paystream::http {

void add_account_routes(Router& router, ApiContext& context);      // POST/GET/PATCH /v1/accounts...
void add_money_routes(Router& router, ApiContext& context);        // payments, credit, make-zero, ...
void add_command_routes(Router& router, ApiContext& context);      // POST /v1/commands
void add_query_routes(Router& router, ApiContext& context);        // payment-records, balances
void add_parameter_routes(Router& router, ApiContext& context);    // /v1/parameters
void add_operator_routes(Router& router, ApiContext& context);     // /v1/operators
void add_card_routes(Router& router, ApiContext& context);         // /v1/cards
void add_report_routes(Router& router, ApiContext& context);       // /v1/reports/NAME
void add_audit_routes(Router& router, ApiContext& context);        // /v1/audit/...
void add_maintenance_routes(Router& router, ApiContext& context);  // /v1/maintenance/records-cleanup
void add_status_routes(Router& router, ApiContext& context);       // /healthz, /metrics
void add_openapi_route(Router& router);                            // GET /v1/openapi.json
// The operator's console at / from `serve --console-dir` (docs/console.md); without one, / says
// how to get it. Not part of make_router: not an API endpoint, and not in docs/openapi.yaml.
void add_console_routes(Router& router, std::optional<std::filesystem::path> console_dir);
// The folder --console-dir names must hold a built console (its index.html).
Status check_console_dir(const std::filesystem::path& dir);

// Every route above.
Router make_router(ApiContext& context);

}  // namespace paystream::http
