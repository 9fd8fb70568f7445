#pragma once
// D1 (SQLite) over the command channel (d1.query / d1.exec / d1.batch).
//
//   auto result = co_await cf::d1(ctx.command()).query("SELECT * FROM notes WHERE id = ?", {7});
//   for (const boost::json::object& row : result.rows) ...

#include <cstdint>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "containerflare/command/client.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

struct d1_meta {
  std::int64_t changes = 0;
  std::int64_t last_row_id = 0;
  double duration = 0;      // milliseconds
  boost::json::object raw;  // every field the host sent (rows_read, served_by, ...)
};

struct d1_result {
  std::vector<boost::json::object> rows;
  d1_meta meta;
};

struct d1_statement {
  std::string sql;
  boost::json::array params;
};

struct d1_exec_result {
  std::int64_t count = 0;  // statements run
  double duration = 0;     // milliseconds
};

class d1 {
 public:
  explicit d1(command_client& client, std::string binding = {});

  // One statement with `?` parameters bound in order.
  task<d1_result> query(std::string sql, boost::json::array params = {});
  // Raw SQL, possibly several statements, without parameters.
  task<d1_exec_result> exec(std::string sql);
  // Several statements in one transaction; one result per statement.
  task<std::vector<d1_result>> batch(std::vector<d1_statement> statements);

 private:
  command_client* client_;
  std::string binding_;
};

}  // namespace containerflare
