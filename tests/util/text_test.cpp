#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "util/atomic_file.h"
#include "util/text.h"

using namespace reclift::host;

TEST_CASE("edit distance counts insertions, deletions and substitutions", "[util]") {
  CHECK(EditDistance("", "") == 0);
  CHECK(EditDistance("factors", "factors") == 0);
  CHECK(EditDistance("factor", "factors") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
}

TEST_CASE("did-you-mean proposes the closest close name only", "[util]") {
  std::vector<std::string> names = {"popularity", "random", "als"};
  CHECK(DidYouMean("populartiy", names) == " (did you mean 'popularity'?)");
  CHECK(DidYouMean("xyzzy-something", names).empty());
}

TEST_CASE("atomic writes replace the whole file and leave no temporary", "[util]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / "reclift-atomic-test";
  fs::remove_all(dir);
  const fs::path file = dir / "sub" / "out.txt";
  WriteFileAtomic(file, "first");
  WriteFileAtomic(file, "second");
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  CHECK(ss.str() == "second");
  size_t entries = 0;
  for (auto& e : fs::directory_iterator(file.parent_path())) entries += e.is_regular_file();
  CHECK(entries == 1);
  fs::remove_all(dir);
}
