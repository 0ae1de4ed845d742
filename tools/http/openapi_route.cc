// GET /v1/openapi.json: the API's description (docs/openapi.yaml), for client generators and API
// fuzzers. No token: it describes what every client may send, and holds no ledger data.
#include <string>

#include "tools/http/errors.h"
#include "tools/http/openapi_document.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"

namespace paystream::http {

void add_openapi_route(Router& router) {
  router.add("GET", "/v1/openapi.json", Auth::none, [](const ApiRequest& request, const Caller&) {
    // As the /v1 queries: a misspelt parameter is refused rather than silently ignored.
    if (Result<QueryParams> params = QueryParams::read(request, {}); !params) {
      return error_response(params.error());
    }
    ApiResponse response;
    response.body = std::string(openapi_document_json());
    return response;
  });
}

}  // namespace paystream::http
