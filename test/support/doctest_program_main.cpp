// doctest main for tests that drive another program: `TEST PROGRAM [doctest options]`.

#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "support/program_under_test.hpp"

namespace containerflare::test {

namespace {
std::string program_path;
}

const std::string& program_under_test() {
  if (program_path.empty())
    throw std::logic_error("no program under test given on the command line");
  return program_path;
}

}  // namespace containerflare::test

int main(int argc, char** argv) {
  std::vector<char*> doctest_args{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (containerflare::test::program_path.empty() && !arg.starts_with("-")) {
      containerflare::test::program_path = arg;
    } else {
      doctest_args.push_back(argv[i]);
    }
  }
  doctest::Context context;
  context.applyCommandLine(static_cast<int>(doctest_args.size()), doctest_args.data());
  return context.run();
}
