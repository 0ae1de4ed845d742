#pragma once
// Query parameters of a read endpoint, strictly: a name the endpoint does not take, or one given
// twice, is refused (invalid_argument), so a misspelt filter never silently returns everything.
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/result.h"
#include "tools/http/http_api.h"

namespace paystream::http {

class QueryParams {
 public:
  static Result<QueryParams> read(const ApiRequest& request, std::initializer_list<std::string_view> known);
  // The value, or nullopt when the parameter was not given.
  std::optional<std::string> get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

}  // namespace paystream::http
