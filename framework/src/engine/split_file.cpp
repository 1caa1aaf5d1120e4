#include "engine/split_file.h"

#include "data/mapped_file.h"
#include "engine/binary_io.h"
#include "util/atomic_file.h"

namespace reclift::host::engine {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kSplitMagic = "RCLSPLT1";

void PutSparse(BinaryWriter& w, const SparseView& m) {
  w.Array(m.indptr);
  w.Array(m.indices);
  w.Array(m.values);
  w.Array(m.timestamps);
}

SparseView GetSparse(BinaryReader& r) {
  SparseView m;
  m.indptr = r.Array<uint64_t>();
  m.indices = r.Array<uint32_t>();
  m.values = r.Array<float>();
  m.timestamps = r.Array<int64_t>();
  return m;
}

void PutStrings(BinaryWriter& w, std::span<const std::string> s) {
  w.Text(nlohmann::json(std::vector<std::string>(s.begin(), s.end())).dump());
}

std::vector<std::string> GetStrings(BinaryReader& r) {
  return nlohmann::json::parse(r.Text()).get<std::vector<std::string>>();
}

template <class T, class Get>
void PutRagged(BinaryWriter& w, size_t n, Get get) {
  std::vector<uint64_t> ptr{0};
  std::vector<T> flat;
  for (size_t i = 0; i < n; ++i) {
    const auto& row = get(i);
    flat.insert(flat.end(), row.begin(), row.end());
    ptr.push_back(flat.size());
  }
  w.Array(ptr);
  w.Array(flat);
}

template <class T>
std::vector<std::vector<T>> GetRagged(BinaryReader& r) {
  const auto ptr = r.Array<uint64_t>();
  const auto flat = r.Array<T>();
  std::vector<std::vector<T>> out;
  for (size_t i = 0; i + 1 < ptr.size(); ++i) {
    if (ptr[i + 1] < ptr[i] || ptr[i + 1] > flat.size()) throw Error("split file: bad row offsets");
    out.emplace_back(flat.begin() + ptr[i], flat.begin() + ptr[i + 1]);
  }
  return out;
}

}  // namespace

void WriteSplitFile(const fs::path& file, const CellData& cell, const std::vector<uint32_t>& bucket_of,
                    const std::vector<std::vector<uint32_t>>& candidates) {
  const TrainData& t = cell.train.view();
  BinaryWriter w(kSplitMagic);
  w.Text(nlohmann::json{{"num_users", t.num_users},
                        {"num_items", t.num_items},
                        {"explicit", t.explicit_feedback},
                        {"min_value", t.min_value},
                        {"max_value", t.max_value},
                        {"global_mean", t.global_mean},
                        {"test_interactions", cell.test_interactions},
                        {"users_with_relevant", cell.users_with_relevant}}
             .dump());
  PutSparse(w, t.by_user);
  PutSparse(w, t.by_item);
  const ItemFeaturesView& f = t.item_features;
  PutSparse(w, f.categories);
  PutStrings(w, f.category_names);
  PutSparse(w, f.tags);
  PutStrings(w, f.tag_names);
  w.Array(f.numeric);
  PutStrings(w, f.numeric_names);
  PutStrings(w, f.text);
  std::vector<uint32_t> ids;
  for (const auto& u : cell.users) ids.push_back(u.user);
  w.Array(ids);
  const size_t n = cell.users.size();
  PutRagged<uint32_t>(
      w, n, [&](size_t i) -> const auto& { return cell.users[i].items; });
  PutRagged<float>(
      w, n, [&](size_t i) -> const auto& { return cell.users[i].values; });
  PutRagged<uint32_t>(
      w, n, [&](size_t i) -> const auto& { return cell.users[i].relevant; });
  PutRagged<float>(
      w, n, [&](size_t i) -> const auto& { return cell.users[i].gains; });
  w.Array(cell.item_popularity);
  w.Array(bucket_of);
  PutRagged<uint32_t>(
      w, candidates.size(), [&](size_t i) -> const auto& { return candidates[i]; });
  WriteFileAtomic(file, w.data(), /*sync=*/false);  // transient: written again on resume
}

struct MappedSplit::Mapping {
  explicit Mapping(const fs::path& file) : file(file, SourceLocation{}) {}
  MappedFile file;
};

MappedSplit::MappedSplit(const fs::path& file) : map_(std::make_unique<Mapping>(file)) {
  BinaryReader r(map_->file.text(), kSplitMagic, "split file " + file.string());
  const auto meta = nlohmann::json::parse(r.Text());
  train_.num_users = meta.at("num_users");
  train_.num_items = meta.at("num_items");
  train_.explicit_feedback = meta.at("explicit");
  train_.min_value = meta.at("min_value");
  train_.max_value = meta.at("max_value");
  train_.global_mean = meta.at("global_mean");
  train_.by_user = GetSparse(r);
  train_.by_item = GetSparse(r);
  ItemFeaturesView& f = train_.item_features;
  f.categories = GetSparse(r);
  category_names_ = GetStrings(r);
  f.tags = GetSparse(r);
  tag_names_ = GetStrings(r);
  f.numeric = r.Array<float>();
  numeric_names_ = GetStrings(r);
  text_ = GetStrings(r);
  f.category_names = category_names_;
  f.tag_names = tag_names_;
  f.numeric_names = numeric_names_;
  f.text = text_;
  const auto ids = r.Array<uint32_t>();
  auto items = GetRagged<uint32_t>(r);
  auto values = GetRagged<float>(r);
  auto relevant = GetRagged<uint32_t>(r);
  auto gains = GetRagged<float>(r);
  if (items.size() != ids.size() || values.size() != ids.size() || relevant.size() != ids.size() ||
      gains.size() != ids.size()) {
    throw Error("split file " + file.string() + ": user tables differ in length");
  }
  users_.resize(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    users_[i] = {ids[i], std::move(items[i]), std::move(values[i]), std::move(relevant[i]),
                 std::move(gains[i])};
  }
  popularity_ = r.Vector<float>();
  bucket_of_ = r.Vector<uint32_t>();
  candidates_ = GetRagged<uint32_t>(r);
}

MappedSplit::~MappedSplit() = default;

CellInputs MappedSplit::inputs() const {
  CellInputs in;
  in.train = &train_;
  in.users = users_;
  in.item_popularity = &popularity_;
  in.bucket_of = bucket_of_.empty() ? nullptr : &bucket_of_;
  in.candidates = candidates_.empty() ? nullptr : &candidates_;
  return in;
}

}  // namespace reclift::host::engine
