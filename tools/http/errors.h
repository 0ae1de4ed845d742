#pragma once
// Errors as the API returns them: {"error":{"code":"<name>","message":"..."}} with the HTTP status
// of the code (docs/api.md "Errors"). The code is an Errc name (events/result.h) or one of the
// HTTP layer's own: route_not_found, method_not_allowed, body_too_large, batch_too_large,
// malformed_request, unsupported_encoding, request_timeout, too_many_connections, server_busy.
#include <string>
#include <string_view>

#include "events/result.h"
#include "tools/http/http_api.h"

namespace paystream::http {

// 400 usage errors, 401 unauthenticated, 403 forbidden, 404 a named thing that does not exist,
// 409 a conflict with what exists, 422 other rejections by the ledger's rules, 500 operating errors,
// 503 Kafka unreachable, 202 an outcome still pending (Kafka mode).
int http_status_of(Errc code);

ApiResponse error_response(const Error& error);
// An error of the HTTP layer itself, which has no Errc.
ApiResponse error_response(int status, std::string_view code, std::string_view message);

// The body alone, for responses made outside the routes (the transport's own refusals).
std::string error_body(std::string_view code, std::string_view message);

}  // namespace paystream::http
