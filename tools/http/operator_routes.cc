// POST /v1/operators (admin): wired when the engine has operators.
#include "tools/http/routes.h"

namespace paystream::http {

void add_operator_routes(Router& /*router*/, ApiContext& /*context*/) {}

}  // namespace paystream::http
