#pragma once
// docs/openapi.yaml as compact JSON text, generated at build time (tools/http/embed_openapi.py,
// run by tools/http/CMakeLists.txt) so that the server serves its own description without a file.
#include <string_view>

namespace paystream::http {

std::string_view openapi_document_json();

}  // namespace paystream::http
