// POST /v1/maintenance/records-cleanup: `paystream records cleanup` on the server (docs/api.md
// "Maintenance"), for admin operators. The export is written into the server's export folder
// (serve --records-export-dir), never to a path the client names.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "events/command.h"
#include "tools/commands/data_dir.h"
#include "tools/http/errors.h"
#include "tools/http/routes.h"
#include "tools/http/write_support.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/command_json.h"
#include "tools/runtime/retention.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

Status check_admin(const Caller& caller) {
  if (caller.access.role == OperatorRole::admin) return ok_status();
  return make_error(Errc::forbidden,
                    fmt::format("operator '{}' ({}) may not clean up records: admin may",
                                caller.operator_name, operator_role_name(caller.access.role)));
}

Status check_members(const json& body) {
  for (const auto& [name, value] : body.items()) {
    if (name != "before" && name != "export_file" && name != "command_id") {
      return make_error(
          Errc::invalid_argument,
          fmt::format("unknown member \"{}\": a cleanup takes before, export_file and command_id", name));
    }
  }
  return ok_status();
}

Result<CleanupRequest> cleanup_request(const ApiContext& context, const ApiRequest& request,
                                       const Caller& caller) {
  Result<json> body = body_object(request, context.limits);
  if (!body) return body.error();
  if (Status known = check_members(*body); !known) return known.error();
  Result<std::string> before_text = text_member(*body, "before", true);
  if (!before_text) return before_text.error();
  Result<Date> before = date_argument("before", *before_text);
  if (!before) return before.error();
  Result<std::string> file = text_member(*body, "export_file", false);
  if (!file) return file.error();
  if (file->empty()) *file = retention_export_name(*before);
  if (std::filesystem::path(*file).filename() != *file || *file == "." || *file == "..") {
    return make_error(
        Errc::invalid_argument,
        fmt::format("export_file '{}': a file name in the server's export folder, not a path", *file));
  }
  Result<std::string> command_id = text_member(*body, "command_id", false);
  if (!command_id) return command_id.error();
  if (!command_id->empty()) {
    // check_command_id, not command_id_argument: the message names the member, not the CLI's option.
    if (Status valid = check_command_id(*command_id); !valid) {
      return make_error(valid.error().code, "\"command_id\": " + valid.error().message);
    }
  }
  if (!context.records_export_dir) {
    return make_error(
        Errc::invalid_argument,
        "this server keeps no exports: start it with --records-export-dir DIR to clean up records");
  }
  return CleanupRequest{.before = *before,
                        .export_file = *context.records_export_dir / *file,
                        .command_id = command_id->empty() ? generate_command_id() : *command_id,
                        .operator_name = caller.operator_name,
                        .replace_export = false,
                        .exported_row = {},
                        .confirm = {}};
}

ApiResponse clean_up(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  if (Status may = check_admin(caller); !may) return error_response(may.error());
  Result<CleanupRequest> cleanup = cleanup_request(context, request, caller);
  if (!cleanup) return error_response(cleanup.error());
  Result<CleanupDone> done =
      clean_up_records(context.backend.projections(), *cleanup, now_utc(),
                       [&context](Command command) { return submit_counted(context, std::move(command)); });
  // Kafka mode: published, not answered yet; the Location says where to look its outcome up.
  if (!done && done.error().code == Errc::outcome_pending) {
    return outcome_response(cleanup->command_id, Result<Outcome>(done.error()));
  }
  if (!done) return error_response(done.error());
  const RecordsCleanup made{.from = done->exported.from,
                            .before = done->exported.before,
                            .count = done->exported.count,
                            .export_sha256 = done->exported.sha256,
                            .export_file = done->exported.file.filename().string()};
  return json_response(done->duplicate ? 200 : 201, {{"command_id", done->command_id},
                                                     {"duplicate", done->duplicate},
                                                     {"position", done->position.value},
                                                     {"cleanup", cleanup_to_json(made)}});
}

}  // namespace

void add_maintenance_routes(Router& router, ApiContext& context) {
  router.add("POST", "/v1/maintenance/records-cleanup", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return clean_up(context, request, caller);
             });
}

}  // namespace paystream::http
