// charge, charge --file, authorize and minimum run over --server print what they print on a data
// directory (and, as client-kafka/, on the API in Kafka mode).
#include <chrono>
#include <fstream>

#include "events/time.h"
#include "tests/tools/client/client_test_support.h"

namespace paystream::client_test {
namespace {

std::string seconds_ago(int seconds) {
  const auto then = std::chrono::system_clock::now() - std::chrono::seconds(seconds);
  return format_timestamp(Timestamp{
      std::chrono::duration_cast<std::chrono::seconds>(then.time_since_epoch()).count() * 1'000'000});
}

}  // namespace

TEST_CASE("charges, authorization and the minimum over --server print what they print locally",
          "[client][charges]") {
  Ledgers ledgers;
  const std::string start = seconds_ago(30);
  check_same(ledgers,
             {"account", "open", "C-1", "--name", "Alice", "--type", "direct", "--balance", "10",
              "--monthly-max", "8", "--monthly-min", "3"},
             0);
  check_same(ledgers, {"charge", "C-1", "1.25", "--cdr-id", "k-1", "--start", start, "--duration", "60"}, 0);
  // A resent CDR: the first outcome again, and the note.
  check_same(ledgers, {"charge", "C-1", "1.25", "--cdr-id", "k-1", "--start", start, "--duration", "60"}, 0);
  check_same(ledgers, {"charge", "NOPE", "1", "--cdr-id", "k-2", "--start", start}, 3);
  const TempDir files;
  const std::string file = files.path() + "/cdrs.csv";
  {
    std::ofstream out(file);
    out << "cdr_id,account,amount,start_time\n"
        << "f-1,C-1,0.50," << start << "\n"
        << "f-2,NOPE,0.50," << start << "\n"
        << "k-1,C-1,1.25," << start << "\n";
  }
  const ProcessResult imported = check_same(ledgers, {"charge", "--file", file, "--format", "json"}, 3);
  CHECK(imported.out.find(R"({"applied":1,"duplicates":0,"lines":3,"refused":2})") != std::string::npos);
  check_same(ledgers, {"authorize", "C-1"}, 0);
  const ProcessResult authorized = check_same(ledgers, {"authorize", "C-1", "--format", "json"}, 0);
  CHECK(authorized.out.find(R"("max_spend":"6.25")") != std::string::npos);
  check_same(ledgers, {"account", "show", "C-1"}, 0);
  // Charge IDs are log positions, which differ (the server's log holds its first admin): the rows
  // are compared without them.
  for (const ProcessResult& listed :
       {ledgers.local({"charges", "--format", "csv"}), ledgers.remote({"charges", "--format", "csv"})}) {
    INFO(listed.out << listed.err);
    REQUIRE(listed.exit_code == 0);
    const std::vector<std::string> lines = e2e::lines_of(listed.out);
    REQUIRE(lines.size() == 3);
    CHECK(lines[1].substr(lines[1].find(',')).starts_with(",C-1,k-1,1.25,10.00,8.75,"));
    CHECK(lines[2].substr(lines[2].find(',')).starts_with(",C-1,f-1,0.50,8.75,8.25,"));
  }
  check_same(ledgers, {"minimum", "run", "--month", format_month(month_of(parse_timestamp(start).value()))},
             0);
}

}  // namespace paystream::client_test
