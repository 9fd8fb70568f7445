#pragma once
// Polling a condition with a deadline: for states a test can observe but not be notified of
// (a connection count, a file's content). The interval only sets how often the condition is
// checked; the deadline bounds the wait.

#include <chrono>
#include <thread>

namespace containerflare::test {

template <class Condition>
bool eventually(Condition&& condition, std::chrono::milliseconds deadline,
                std::chrono::milliseconds interval = std::chrono::milliseconds(2)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(interval);
  }
}

}  // namespace containerflare::test
