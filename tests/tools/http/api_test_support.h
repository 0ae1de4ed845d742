#pragma once
// Helpers of the HTTP API tests: a running server with an admin client, JSON bodies, a CSV reader.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "events/money.h"
#include "events/time.h"
#include "tests/support/csv_reader.h"
#include "tests/support/server_process.h"

namespace paystream::http_test {

using json = nlohmann::json;

// A fresh data directory with the server on it and a client holding the first admin's token. In
// Kafka mode (PAYSTREAM_TEST_KAFKA), on topics of `kafka_partitions` partitions.
struct Api {
  explicit Api(const std::vector<std::string>& extra = {}, int kafka_partitions = 1)
      : server(std::make_unique<ServerProcess>(data.path(), extra, kafka_partitions)),
        admin(server->client(server->admin_token())) {}
  // Every test ends with a clean stop: exit 0 (a sanitizer's report would make it fail).
  ~Api() {
    const int code = server->stop();
    INFO(server->stderr_text());
    CHECK(code == 0);
  }
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;
  TempDir data;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<httplib::Client> admin;
};

inline json json_of(const httplib::Result& result) {
  REQUIRE(result);
  INFO(result->body);
  return json::parse(result->body);
}

inline httplib::Result post(httplib::Client& client, const std::string& path, const json& body) {
  return client.Post(path.c_str(), body.dump(), "application/json");
}

// Status and error code of a refused request.
inline std::pair<int, std::string> refusal_of(const httplib::Result& result) {
  REQUIRE(result);
  INFO(result->body);
  const json body = json::parse(result->body);
  REQUIRE(body.contains("error"));
  return {result->status, body.at("error").at("code").get<std::string>()};
}

using testing::parse_csv;

// Opens an account (and asserts it was opened).
inline void open_account(httplib::Client& client, json body) {
  const httplib::Result result = post(client, "/v1/accounts", body);
  REQUIRE(result);
  INFO(result->body);
  REQUIRE(result->status == 201);
}

inline std::string balance_of(httplib::Client& client, const std::string& account) {
  const httplib::Result result = client.Get(("/v1/accounts/" + account).c_str());
  REQUIRE(result);
  REQUIRE(result->status == 200);
  return json::parse(result->body).at("current_balance").get<std::string>();
}

// Adds an operator (POST /v1/operators, asserted 201) and returns its token.
inline std::string add_operator(httplib::Client& admin, const json& body) {
  const httplib::Result result = post(admin, "/v1/operators", body);
  REQUIRE(result);
  INFO(result->body);
  REQUIRE(result->status == 201);
  return json::parse(result->body).at("token").get<std::string>();
}

// The body of a GET answered `status`.
inline std::string get_body(httplib::Client& client, const std::string& path, int status = 200) {
  const httplib::Result result = client.Get(path.c_str());
  REQUIRE(result);
  INFO(path << ": " << result->body);
  REQUIRE(result->status == status);
  return result->body;
}

// An amount of an answer, in micro-units (asserted to parse).
inline int64_t micros_of(std::string_view text) {
  const Result<Money> money = Money::parse(text);
  INFO(text);
  REQUIRE(money);
  return money->micros();
}

inline Timestamp now() {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return Timestamp{std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count()};
}

// Today's date (UTC) moved by `days`, as the reports' from and to take it.
inline std::string day_from_today(int32_t days) { return format_date(add_days(date_of(now()), days)); }

}  // namespace paystream::http_test
