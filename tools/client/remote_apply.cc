#include "tools/client/remote_apply.h"

#include <fmt/format.h>

#include "tools/runtime/command_json.h"

namespace paystream {
namespace {

using json = nlohmann::json;

Error unexpected(const HttpClient& client, std::string_view what) {
  return make_error(Errc::io_error,
                    fmt::format("server {} answered unexpectedly: {}", client.url().text, what));
}

bool is_string_member(const json& object, const char* name) {
  return object.is_object() && object.contains(name) && object.at(name).is_string();
}

// An outcome as outcome_to_json makes it, so run_apply_chunks can print it as a local one.
bool is_outcome(const json& outcome) {
  if (!is_string_member(outcome, "command_id") || !outcome.contains("ok") || !outcome.at("ok").is_boolean()) {
    return false;
  }
  if (outcome.at("ok").get<bool>()) return outcome.contains("events") && outcome.at("events").is_array();
  return outcome.contains("error") && is_string_member(outcome.at("error"), "code") &&
         is_string_member(outcome.at("error"), "message");
}

// One POST /v1/commands: the outcomes of `batch`, in order.
Result<std::vector<json>> send_batch(HttpClient& client, json batch) {
  const size_t count = batch.size();
  const std::string body =
      json{{"commands", std::move(batch)}}.dump(-1, ' ', false, json::error_handler_t::replace);
  Result<HttpAnswer> answer = client.post("/v1/commands", body);
  if (!answer) return answer.error();
  if (answer->status != 200) return answer_error(*answer, client.url());
  json document = json::parse(answer->body, nullptr, false);
  if (!document.is_object() || !document.contains("outcomes") || !document.at("outcomes").is_array() ||
      document.at("outcomes").size() != count) {
    return unexpected(client, fmt::format("not {} outcomes", count));
  }
  std::vector<json> outcomes;
  for (json& outcome : document.at("outcomes")) {
    if (!is_outcome(outcome)) return unexpected(client, "an outcome of another shape");
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

Result<std::vector<json>> apply_remotely(HttpClient& client, const RemoteApplyLimits& limits,
                                         const std::vector<std::string>& lines) {
  std::vector<json> outcomes(lines.size());
  std::vector<size_t> batched;  // indexes of the lines in `batch`
  json batch = json::array();
  size_t batch_bytes = 0;
  const auto flush = [&]() -> Status {
    if (batched.empty()) return ok_status();
    Result<std::vector<json>> answered = send_batch(client, std::move(batch));
    if (!answered) return answered.error();
    for (size_t i = 0; i < batched.size(); ++i) outcomes[batched[i]] = std::move((*answered)[i]);
    batch = json::array();
    batched.clear();
    batch_bytes = 0;
    return ok_status();
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    Result<json> element = parse_json_text(lines[i]);
    if (!element) {  // as run_apply refuses it locally; it has no command_id that can be read
      outcomes[i] = outcome_to_json("", element.error());
      continue;
    }
    if (batched.size() >= limits.commands_max || batch_bytes + lines[i].size() > limits.body_bytes_max) {
      if (Status sent = flush(); !sent) return sent.error();
    }
    batch.push_back(std::move(element).value());
    batched.push_back(i);
    batch_bytes += lines[i].size() + 1;
  }
  if (Status sent = flush(); !sent) return sent.error();
  return outcomes;
}

}  // namespace

ApplyChunk remote_apply_chunk(HttpClient& client, RemoteApplyLimits limits) {
  return [&client, limits](const std::vector<std::string>& lines) {
    return apply_remotely(client, limits, lines);
  };
}

}  // namespace paystream
