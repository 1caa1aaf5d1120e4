#include "runner/candidates.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <unordered_map>
#include <unordered_set>

#include "util/error.h"

namespace reclift::host {
namespace {

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(std::move(field));
  return fields;
}

}  // namespace

std::vector<std::vector<uint32_t>> SampleCandidates(const CellData& cell, uint32_t num_items, int negatives,
                                                    uint64_t seed) {
  const TrainData& train = cell.train.view();
  std::vector<std::vector<uint32_t>> out(cell.users.size());
  tbb::parallel_for(size_t{0}, cell.users.size(), [&](size_t i) {
    const UserTest& ut = cell.users[i];
    auto seen = train.by_user.RowIndices(ut.user);
    std::unordered_set<uint32_t> taken(ut.items.begin(), ut.items.end());
    const size_t forbidden = seen.size() + ut.items.size();
    const size_t available = num_items > forbidden ? num_items - forbidden : 0;
    const size_t want = std::min<size_t>(static_cast<size_t>(negatives), available);
    std::mt19937_64 rng(SplitMix(seed ^ SplitMix(ut.user)));
    std::vector<uint32_t> picked(ut.items.begin(), ut.items.end());
    // rejection sampling is fast while the user's items are a small share of
    // the catalogue; otherwise enumerate the allowed items
    if (want * 4 < available) {
      while (picked.size() < ut.items.size() + want) {
        const uint32_t item = static_cast<uint32_t>(rng() % num_items);
        if (std::binary_search(seen.begin(), seen.end(), item) || !taken.insert(item).second) continue;
        picked.push_back(item);
      }
    } else {
      std::vector<uint32_t> allowed;
      for (uint32_t item = 0; item < num_items; ++item) {
        if (!std::binary_search(seen.begin(), seen.end(), item) && !taken.count(item))
          allowed.push_back(item);
      }
      std::shuffle(allowed.begin(), allowed.end(), rng);
      picked.insert(picked.end(), allowed.begin(), allowed.begin() + static_cast<std::ptrdiff_t>(want));
    }
    std::sort(picked.begin(), picked.end());
    out[i] = std::move(picked);
  });
  return out;
}

std::vector<std::vector<uint32_t>> LoadCandidates(const std::filesystem::path& file, const Dataset& data,
                                                  const CellData& cell) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read candidates file " + file.string());
  std::string line;
  if (!std::getline(in, line)) throw Error(SourceLocation{file.string(), 1, 0}, "empty candidates file");
  const auto header = SplitCsvLine(line);
  auto column = [&](const char* name) {
    auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      throw Error(SourceLocation{file.string(), 1, 0},
                  std::string("candidates file: expected a header with columns 'user' and 'item', found \"") +
                      line + "\"");
    }
    return static_cast<size_t>(it - header.begin());
  };
  const size_t user_col = column("user"), item_col = column("item");
  std::unordered_map<std::string, uint32_t> user_index, item_index;
  for (uint32_t u = 0; u < data.num_users(); ++u) user_index.emplace(data.user_ids[u], u);
  for (uint32_t i = 0; i < data.num_items(); ++i) item_index.emplace(data.item_ids[i], i);
  std::unordered_map<uint32_t, size_t> position;
  for (size_t i = 0; i < cell.users.size(); ++i) position.emplace(cell.users[i].user, i);
  std::vector<std::vector<uint32_t>> out(cell.users.size());
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    if (line.empty() || line == "\r") continue;
    const auto fields = SplitCsvLine(line);
    const SourceLocation where{file.string(), line_no, 0};
    if (fields.size() <= std::max(user_col, item_col)) {
      throw Error(where, "candidates file: expected " + std::to_string(header.size()) + " fields, found \"" +
                             line + "\"");
    }
    auto u = user_index.find(fields[user_col]);
    if (u == user_index.end()) throw Error(where, "candidates file: unknown user '" + fields[user_col] + "'");
    auto i = item_index.find(fields[item_col]);
    if (i == item_index.end()) throw Error(where, "candidates file: unknown item '" + fields[item_col] + "'");
    auto p = position.find(u->second);
    if (p != position.end()) out[p->second].push_back(i->second);
  }
  for (auto& list : out) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return out;
}

}  // namespace reclift::host
