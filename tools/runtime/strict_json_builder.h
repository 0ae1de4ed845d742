#pragma once
// A SAX handler for nlohmann::json that builds the document as json::parse does, except that an
// object naming a member twice stops the parse: json::parse would silently keep the last one, so
// {"amount":"5","amount":"6"} would pay 6 while a log or a proxy reading the first saw 5.
// A key is looked up in the object being built, so the check costs one map lookup per member
// (json::parse with a callback keeping a set of keys per object parses about 1.8x slower).
// Internal to tools/: parse_json_text (tools/runtime/command_json.h) reads all client JSON through it.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace paystream {

class StrictJsonBuilder {
 public:
  using json = nlohmann::json;

  // After json::sax_parse returned false: the member named twice, or else the parse error.
  const std::optional<std::string>& repeated_member() const { return repeated_member_; }
  const std::string& parse_error_text() const { return parse_error_text_; }
  json& document() { return root_; }

  bool null() { return put(nullptr); }
  bool boolean(bool value) { return put(value); }
  bool number_integer(json::number_integer_t value) { return put(value); }
  bool number_unsigned(json::number_unsigned_t value) { return put(value); }
  bool number_float(json::number_float_t value, const json::string_t& /*text*/) { return put(value); }
  bool string(json::string_t& value) { return put(std::move(value)); }
  bool binary(json::binary_t& value) { return put(json::binary(std::move(value))); }

  bool start_object(std::size_t /*elements*/) { return open(json::object()); }
  bool start_array(std::size_t /*elements*/) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }

  bool key(json::string_t& name) {
    json::object_t& object = open_.back()->get_ref<json::object_t&>();
    const auto [member, inserted] = object.try_emplace(name);
    if (!inserted) {
      repeated_member_ = std::move(name);
      return false;  // stops the parse
    }
    member_ = &member->second;
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const json::exception& error) {
    parse_error_text_ = error.what();
    return false;
  }

 private:
  // Where the next value goes: the root, the end of the open array, or the member just named.
  json* slot() {
    if (open_.empty()) return &root_;
    if (open_.back()->is_array()) return &open_.back()->emplace_back();
    return member_;
  }
  bool put(json value) {
    *slot() = std::move(value);
    return true;
  }
  bool open(json container) {
    json* place = slot();
    *place = std::move(container);
    open_.push_back(place);
    return true;
  }
  bool close() {
    open_.pop_back();
    return true;
  }

  json root_;
  std::vector<json*> open_;  // the arrays and objects being filled, innermost last
  json* member_ = nullptr;   // the member named by the last key
  std::optional<std::string> repeated_member_;
  std::string parse_error_text_;
};

}  // namespace paystream
