#include "events/command.h"

#include <fmt/format.h>

#include <random>

namespace paystream {

const char* command_name(const CommandBody& body) {
  struct Name {
    const char* operator()(const OpenAccount&) const { return "OpenAccount"; }
    const char* operator()(const UpdateAccount&) const { return "UpdateAccount"; }
    const char* operator()(const Pay&) const { return "Pay"; }
    const char* operator()(const SetCredit&) const { return "SetCredit"; }
    const char* operator()(const MakeZero&) const { return "MakeZero"; }
    const char* operator()(const Reverse&) const { return "Reverse"; }
    const char* operator()(const Adjust&) const { return "Adjust"; }
    const char* operator()(const SetParameter&) const { return "SetParameter"; }
    const char* operator()(const AddOperator&) const { return "AddOperator"; }
    const char* operator()(const DisableOperator&) const { return "DisableOperator"; }
    const char* operator()(const RotateOperatorToken&) const { return "RotateOperatorToken"; }
    const char* operator()(const Charge&) const { return "Charge"; }
    const char* operator()(const MinimumCharge&) const { return "MinimumCharge"; }
    const char* operator()(const IssueCards&) const { return "IssueCards"; }
    const char* operator()(const RedeemCard&) const { return "RedeemCard"; }
    const char* operator()(const DisableCard&) const { return "DisableCard"; }
    const char* operator()(const CleanUpRecords&) const { return "CleanUpRecords"; }
    const char* operator()(const RecordCardPayment&) const { return "RecordCardPayment"; }
    const char* operator()(const ReturnCard&) const { return "ReturnCard"; }
  };
  return std::visit(Name{}, body);
}

std::string charge_command_id(std::string_view cdr_id) {
  return std::string(charge_command_id_prefix) + std::string(cdr_id);
}

std::string minimum_command_id(std::string_view account_id, int32_t month) {
  return fmt::format("minimum:{}:{}", account_id, format_month(month));
}

Status check_command_id(std::string_view id) {
  bool printable = !id.empty() && id.size() <= command_id_bytes_max;
  for (char c : id) printable = printable && c > ' ' && c < 127;
  if (printable) return ok_status();
  return make_error(Errc::invalid_argument, "invalid command ID '" + std::string(id) +
                                                "': expected 1-128 printable ASCII characters");
}

std::string generate_command_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return fmt::format("gen-{:016x}{:016x}", random(), random());
}

bool is_engine_command(const CommandBody& body) {
  return std::holds_alternative<RecordCardPayment>(body) || std::holds_alternative<ReturnCard>(body);
}

std::string card_payment_command_id(std::string_view number, LogPosition redemption) {
  return fmt::format("card-payment:{}:{}", number, redemption.value);
}

std::string card_return_command_id(std::string_view number, LogPosition redemption) {
  return fmt::format("card-return:{}:{}", number, redemption.value);
}

}  // namespace paystream
