// The MovieLens readers: the first byte picks the layout (100K: u.data +
// u.item; 1M: ratings.dat + movies.dat; latest: ratings.csv + movies.csv +
// tags.csv); the rest is split at "\n===\n" into those files, loaded end to
// end through LoadDataset.
#include <cstdint>
#include <filesystem>
#include <string_view>

#include "data/dataset.h"
#include "fuzz_util.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string_view ratings = reclift::fuzz::TakeUntil(rest, "\n===\n");
  const std::string_view movies = reclift::fuzz::TakeUntil(rest, "\n===\n");
  const std::string_view tags = rest;
  reclift::host::DatasetSpec spec;
  const std::filesystem::path dir = reclift::fuzz::ScratchDir() / "movielens";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, std::string_view bytes) {
    reclift::fuzz::WriteScratch(std::string("movielens/") + name, bytes);
  };
  switch (data[0] % 3) {
    case 0:
      spec.format = "movielens-100k";
      write("u.data", ratings);
      write("u.item", movies);
      break;
    case 1:
      spec.format = "movielens-1m";
      write("ratings.dat", ratings);
      write("movies.dat", movies);
      break;
    default:
      spec.format = "movielens-latest";
      write("ratings.csv", ratings);
      write("movies.csv", movies);
      if ((data[0] & 4) == 0) write("tags.csv", tags);
      break;
  }
  spec.interactions = dir;
  try {
    reclift::host::LoadDataset(spec);
  } catch (const reclift::host::Error&) {
  }
  return 0;
}
