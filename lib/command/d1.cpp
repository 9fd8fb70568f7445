#include "containerflare/command/d1.hpp"

#include "reply.hpp"

namespace containerflare {
namespace {

d1_result read_result(const boost::json::value& reply, std::string_view command) {
  const auto& object = detail::reply_object(reply, command);
  d1_result result;
  for (const auto& row : detail::array_field(object, "results", command)) {
    result.rows.push_back(detail::reply_object(row, command));
  }
  result.meta.raw = detail::object_field(object, "meta", command);
  result.meta.changes = detail::integer_field(result.meta.raw, "changes", command).value_or(0);
  result.meta.last_row_id =
      detail::integer_field(result.meta.raw, "last_row_id", command).value_or(0);
  result.meta.duration = detail::number_field(result.meta.raw, "duration", command);
  return result;
}

}  // namespace

d1::d1(command_client& client, std::string binding)
    : client_(&client), binding_(std::move(binding)) {}

task<d1_result> d1::query(std::string sql, boost::json::array params) {
  auto payload = detail::request_payload(binding_);
  payload["sql"] = sql;
  payload["params"] = std::move(params);
  const auto reply = co_await client_->invoke("d1.query", std::move(payload));
  co_return read_result(reply, "d1.query");
}

task<d1_exec_result> d1::exec(std::string sql) {
  constexpr std::string_view command = "d1.exec";
  auto payload = detail::request_payload(binding_);
  payload["sql"] = sql;
  const auto reply = co_await client_->invoke(std::string(command), std::move(payload));
  const auto& object = detail::reply_object(reply, command);
  co_return d1_exec_result{detail::integer_field(object, "count", command).value_or(0),
                           detail::number_field(object, "duration", command)};
}

task<std::vector<d1_result>> d1::batch(std::vector<d1_statement> statements) {
  constexpr std::string_view command = "d1.batch";
  auto payload = detail::request_payload(binding_);
  boost::json::array list;
  for (auto& statement : statements) {
    list.push_back(
        boost::json::object{{"sql", statement.sql}, {"params", std::move(statement.params)}});
  }
  payload["statements"] = std::move(list);
  const auto reply = co_await client_->invoke(std::string(command), std::move(payload));
  if (!reply.is_array()) detail::bad_reply(command, "expected an array of results");
  std::vector<d1_result> results;
  for (const auto& item : reply.get_array()) results.push_back(read_result(item, command));
  co_return results;
}

}  // namespace containerflare
