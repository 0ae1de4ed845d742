#include "tools/http/query_params.h"

#include <fmt/format.h>

namespace paystream::http {

Result<QueryParams> QueryParams::read(const ApiRequest& request,
                                      std::initializer_list<std::string_view> known) {
  QueryParams params;
  for (const auto& [name, value] : request.query) {
    bool is_known = false;
    for (std::string_view candidate : known) is_known = is_known || candidate == name;
    if (!is_known) {
      std::string names;
      for (std::string_view candidate : known) {
        if (!names.empty()) names += ", ";
        names += candidate;
      }
      return make_error(Errc::invalid_argument,
                        fmt::format("unknown query parameter '{}' (this endpoint takes {})", name,
                                    names.empty() ? "none" : names));
    }
    if (params.get(name)) {
      return make_error(Errc::invalid_argument, fmt::format("query parameter '{}' is given twice", name));
    }
    params.values_.emplace_back(name, value);
  }
  return params;
}

std::optional<std::string> QueryParams::get(std::string_view name) const {
  for (const auto& [key, value] : values_) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace paystream::http
