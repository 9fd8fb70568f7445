#pragma once
// Test executables that drive another program get its path as their first command-line argument
// (Meson passes it); doctest_program_main.cpp stores it here and hands the rest to doctest.

#include <string>

namespace containerflare::test {

// The program's path; throws std::logic_error when none was given.
const std::string& program_under_test();

}  // namespace containerflare::test
