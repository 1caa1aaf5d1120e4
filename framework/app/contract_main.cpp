// reclift-contract PLUGIN.so...: runs the shared plugin contract (see
// framework/src/contract/contract.h) and prints one line per check.
#include <cstdio>

#include "contract/contract.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: reclift-contract PLUGIN.so...\n");
    return 2;
  }
  size_t passed = 0, failed = 0;
  for (int a = 1; a < argc; ++a) {
    for (const auto& c : reclift::host::RunContract(argv[a])) {
      if (c.passed) {
        ++passed;
        std::printf("ok    %s: %s\n", argv[a], c.name.c_str());
      } else {
        ++failed;
        std::printf("FAIL  %s: %s: %s\n", argv[a], c.name.c_str(), c.detail.c_str());
      }
    }
  }
  std::printf("contract: %zu passed, %zu failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
