#include "call_table.hpp"

namespace containerflare::detail {

void call_table::add(std::uint64_t id, pending_call* call) {
  live_.emplace(id, call);
  order_.push_back(id);
}

pending_call* call_table::take(std::uint64_t id) {
  if (!host_sends_ids_) {
    // Late replies will carry their id too: no need to remember abandoned calls any more.
    host_sends_ids_ = true;
    abandoned_.clear();
  }
  pending_call* call = nullptr;
  if (auto it = live_.find(id); it != live_.end()) {
    call = it->second;
    live_.erase(it);
  }
  drop_answered_front();
  return call;
}

pending_call* call_table::take_oldest() {
  drop_answered_front();
  if (order_.empty()) return nullptr;
  const auto id = order_.front();
  order_.pop_front();
  if (auto it = live_.find(id); it != live_.end()) {
    pending_call* call = it->second;
    live_.erase(it);
    return call;
  }
  abandoned_.erase(id);
  return nullptr;
}

void call_table::abandon(std::uint64_t id) {
  if (live_.erase(id) == 0) return;
  if (!host_sends_ids_) abandoned_.insert(id);
  drop_answered_front();
}

std::vector<pending_call*> call_table::take_all() {
  std::vector<pending_call*> calls;
  calls.reserve(live_.size());
  for (auto id : order_) {
    if (auto it = live_.find(id); it != live_.end()) calls.push_back(it->second);
  }
  live_.clear();
  abandoned_.clear();
  order_.clear();
  host_sends_ids_ = false;
  return calls;
}

void call_table::drop_answered_front() {
  while (!order_.empty()) {
    const auto id = order_.front();
    if (live_.contains(id) || abandoned_.contains(id)) return;
    order_.pop_front();
  }
}

}  // namespace containerflare::detail
