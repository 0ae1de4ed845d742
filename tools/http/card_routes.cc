// Phone cards over HTTP: POST /v1/cards/batches (issue a batch: admin; the PINs are in the
// response, shown once), GET /v1/cards (the list, filtered by batch and state), GET
// /v1/cards/{number}, POST /v1/cards/{number}/disable. A card payment is an account's
// (money_routes.cc: POST /v1/accounts/{id}/card-payments). Numbers and PINs are made here, at the
// edge; only what recognises a PIN reaches the ledger (tools/runtime/card_batch.h).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "tools/commands/data_dir.h"
#include "tools/http/errors.h"
#include "tools/http/query_params.h"
#include "tools/http/routes.h"
#include "tools/http/row_output.h"
#include "tools/http/write_support.h"
#include "tools/runtime/arguments.h"
#include "tools/runtime/card_batch.h"
#include "tools/runtime/card_rows.h"

namespace paystream::http {
namespace {

using json = nlohmann::json;

Error invalid(std::string message) { return make_error(Errc::invalid_argument, std::move(message)); }

Result<CardBatchSpec> batch_spec_of(const json& body) {
  for (const auto& [key, value] : body.items()) {
    if (key != "count" && key != "value" && key != "expires" && key != "batch") {
      return invalid(fmt::format("unknown member \"{}\" (a batch takes count, value, expires, batch)", key));
    }
  }
  CardBatchSpec spec;
  if (!body.contains("count") || !body.at("count").is_number_unsigned()) {
    return invalid("\"count\" must be a whole number of cards, e.g. 100");
  }
  spec.count = body.at("count").get<uint64_t>();
  Result<std::string> value = text_member(body, "value", true);
  if (!value) return value.error();
  Result<Money> money = money_argument("value", *value);
  if (!money) return money.error();
  spec.value = *money;
  Result<std::string> expires = text_member(body, "expires", true);
  if (!expires) return expires.error();
  Result<Date> date = date_argument("expires", *expires);
  if (!date) return date.error();
  spec.expires = *date;
  Result<std::string> name = text_member(body, "batch", false);
  if (!name) return name.error();
  spec.batch = *name;
  return spec;
}

// 201 with every card and its PIN. A chunk refused after earlier ones were applied: the error, with
// the cards already issued, so that their PINs are not lost (they can be disabled).
ApiResponse issue_batch(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  if (caller.access.role != OperatorRole::admin) {
    return error_response(make_error(
        Errc::forbidden, fmt::format("operator '{}' ({}) may not issue phone cards: admin may",
                                     caller.operator_name, operator_role_name(caller.access.role))));
  }
  Result<json> body = body_object(request, context.limits);
  if (!body) return error_response(body.error());
  Result<CardBatchSpec> spec = batch_spec_of(*body);
  if (!spec) return error_response(spec.error());
  Result<CardBatch> batch =
      make_card_batch(*spec, caller.operator_name, now_utc(), context.backend.card_placement());
  if (!batch) return error_response(batch.error());
  const BatchIssue issue = submit_card_batch(*batch, [&](std::vector<Command> commands) {
    return submit_all_counted(context, std::move(commands));
  });
  const Error* refusal = issue.refusal ? &*issue.refusal : nullptr;
  json cards = json::array();
  const size_t issued = issue.cards.size();
  for (const NewCard& new_card : issue.cards) {
    json card = json::object();
    const std::vector<std::string> cells = new_card_cells(new_card, spec->value, spec->expires);
    for (size_t c = 0; c < cells.size(); ++c) card[new_card_columns()[c].key] = cells[c];
    cards.push_back(std::move(card));
  }
  json out = {{"batch", batch->batch},
              {"count", issued},
              {"value", spec->value.to_string()},
              {"expires", format_date(spec->expires)},
              {"cards", std::move(cards)}};
  if (refusal == nullptr) return json_response(201, out);
  if (issued == 0) return error_response(*refusal);
  out["error"] = {{"code", errc_name(refusal->code)},
                  {"message", fmt::format("{} cards of the batch were issued, the rest refused: {}", issued,
                                          refusal->message)}};
  return json_response(http_status_of(refusal->code), out);
}

ApiResponse list_cards(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"format", "batch", "state", "number"});
  if (!params) return error_response(params.error());
  Result<OutputFormat> format = requested_format(params->get("format"), request);
  if (!format) return error_response(format.error());
  if (Status may = check_may_read_cards(caller.access); !may) return error_response(may.error());
  CardFilter filter;
  filter.batch = params->get("batch");
  filter.number = params->get("number");
  if (const std::optional<std::string> state = params->get("state")) {
    Result<CardStatus> status = card_status_argument(*state);
    if (!status) return error_response(status.error());
    filter.status = *status;
  }
  const Date today = date_of(now_utc());
  // Copied out of the state first (the state's lock is not held while a response is sent), and
  // shared with the row source, which may run after this handler returned (a streamed export).
  auto cards = std::make_shared<std::vector<CardState>>();
  context.backend.read_account_states(
      [&](const LedgerState& state) { select_cards(state, filter, today, *cards); });
  sort_cards(*cards);
  RowSource source = [cards, today](const CellsVisitor& visit) {
    for (const CardState& card : *cards) visit(card_cells(card, today));
    return ok_status();
  };
  // Streamed as the other listings are; a table (aligned, so rendered whole) is capped.
  return every_row_response(*format, card_columns(), std::move(source), {}, "cards",
                            context.limits.page_rows_max);
}

ApiResponse show_card(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<QueryParams> params = QueryParams::read(request, {"format"});
  if (!params) return error_response(params.error());
  if (const std::optional<std::string> format = params->get("format"); format && *format != "json") {
    return error_response(invalid("a card is shown as JSON only: format=json, or no format"));
  }
  if (Status may = check_may_read_cards(caller.access); !may) return error_response(may.error());
  const std::string number = request.path_param("number");
  std::optional<CardState> found;
  context.backend.read_account_states([&](const LedgerState& state) {
    if (const CardState* card = state.find_card(number)) found = *card;
  });
  if (!found) return error_response(make_error(Errc::card_not_found, fmt::format("no card {}", number)));
  return json_response(200, card_json(*found, date_of(now_utc())));
}

ApiResponse disable_card(ApiContext& context, const ApiRequest& request, const Caller& caller) {
  Result<Command> command = command_from_request(request, context, caller, "disable_card",
                                                 {{"card", request.path_param("number")}});
  if (!command) return error_response(command.error());
  return submit_and_respond(context, std::move(command).value());
}

}  // namespace

void add_card_routes(Router& router, ApiContext& context) {
  router.add("POST", "/v1/cards/batches", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return issue_batch(context, request, caller);
             });
  router.add("GET", "/v1/cards", Auth::required, [&context](const ApiRequest& request, const Caller& caller) {
    return list_cards(context, request, caller);
  });
  router.add("GET", "/v1/cards/{number}", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return show_card(context, request, caller);
             });
  router.add("POST", "/v1/cards/{number}/disable", Auth::required,
             [&context](const ApiRequest& request, const Caller& caller) {
               return disable_card(context, request, caller);
             });
}

}  // namespace paystream::http
