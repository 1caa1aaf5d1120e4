// The runner's pieces on hand-made data: candidates, bucketed assignment,
// the sample-ratio check and the TREC export.
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <set>

#include "runner/ab.h"
#include "runner/candidates.h"
#include "runner/cell_data.h"
#include "runner/trec.h"
#include "util/error.h"

using namespace reclift::host;

namespace {

// 4 users, 6 items; the split is given by hand: user u's test items are the
// last of its rows. Values are ratings; relevant = rating >= 4.
struct Fixture {
  Dataset data;
  Split split;
  CellData cell;
  Fixture() {
    data.user_ids = {"alice", "bob", "carol", "dave"};
    data.item_ids = {"i0", "i1", "i2", "i3", "i4", "i5"};
    data.explicit_feedback = true;
    data.positive_threshold = 4;
    // (user, item, rating, is_test)
    const struct {
      uint32_t u, i;
      float v;
      bool test;
    } rows[] = {{0, 0, 5, false}, {0, 1, 3, false}, {0, 2, 5, true}, {0, 3, 2, true},  //
                {1, 1, 4, false}, {1, 4, 5, true},                                     //
                {2, 0, 1, false}, {2, 5, 2, true},  // no relevant test item
                {3, 2, 4, false}, {3, 3, 5, false}, {3, 0, 4, true}};
    for (const auto& r : rows) {
      (r.test ? split.test : split.train).push_back(data.users.size());
      data.users.push_back(r.u);
      data.items.push_back(r.i);
      data.values.push_back(r.v);
    }
    cell = BuildCellData(data, split);
  }
};

}  // namespace

TEST_CASE("every user with a test item is evaluated; relevance follows the threshold", "[runner]") {
  Fixture f;
  REQUIRE(f.cell.users.size() == 4);
  CHECK(f.cell.users_with_relevant == 3);
  CHECK(f.cell.users[0].items == std::vector<uint32_t>{2, 3});
  CHECK(f.cell.users[0].relevant == std::vector<uint32_t>{2});  // item 3 was rated 2
  CHECK(f.cell.users[0].gains == std::vector<float>{5});
  CHECK(f.cell.users[2].relevant.empty());
  // test items never reach the training view
  const auto& train = f.cell.train.view();
  for (const auto& ut : f.cell.users) {
    auto seen = train.by_user.RowIndices(ut.user);
    for (uint32_t i : ut.items) CHECK_FALSE(std::binary_search(seen.begin(), seen.end(), i));
  }
  CHECK(f.cell.item_popularity == std::vector<float>{2, 2, 1, 1, 0, 0});
}

TEST_CASE("sampled candidates are the test items plus unseen negatives, the same for any seed reuse",
          "[runner]") {
  Fixture f;
  const auto a = SampleCandidates(f.cell, 6, 2, 7);
  const auto b = SampleCandidates(f.cell, 6, 2, 7);
  CHECK(a == b);
  for (size_t i = 0; i < f.cell.users.size(); ++i) {
    const auto& ut = f.cell.users[i];
    auto seen = f.cell.train.view().by_user.RowIndices(ut.user);
    CHECK(std::is_sorted(a[i].begin(), a[i].end()));
    for (uint32_t t : ut.items) CHECK(std::binary_search(a[i].begin(), a[i].end(), t));
    for (uint32_t c : a[i]) CHECK_FALSE(std::binary_search(seen.begin(), seen.end(), c));
  }
  // alice has 2 train + 2 test items of 6: exactly 2 negatives are left, both taken
  CHECK(a[0] == std::vector<uint32_t>{2, 3, 4, 5});
  // bob: test {4} + 2 of the 4 items he never touched
  CHECK(a[1].size() == 3);
}

TEST_CASE("a candidates file maps original ids and reports bad rows with file:line", "[runner]") {
  Fixture f;
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / "reclift-candidates-test.csv";
  std::ofstream(file) << "user,item\nbob,i5\nbob,i0\nalice,i4\n";
  auto c = LoadCandidates(file, f.data, f.cell);
  CHECK(c[0] == std::vector<uint32_t>{4});
  CHECK(c[1] == std::vector<uint32_t>{0, 5});
  CHECK(c[2].empty());
  std::ofstream(file) << "user,item\nbob,i5\nzoe,i1\n";
  try {
    LoadCandidates(file, f.data, f.cell);
    FAIL("an unknown user was accepted");
  } catch (const Error& e) {
    CHECK(std::string(e.what()) == file.string() + ":3: candidates file: unknown user 'zoe'");
  }
  std::ofstream(file) << "uid,item\n";
  CHECK_THROWS_WITH(LoadCandidates(file, f.data, f.cell),
                    Catch::Contains("expected a header with columns 'user' and 'item'"));
  fs::remove(file);
}

TEST_CASE("bucketed assignment follows the weights, is stable and passes the ratio check", "[runner]") {
  // 3000 users: the shares of a 2:1:1 split land near 50/25/25 %
  Dataset data;
  CellData cell;
  for (uint32_t u = 0; u < 3000; ++u) {
    data.user_ids.push_back("user-" + std::to_string(u));
    UserTest t;
    t.user = u;
    cell.users.push_back(t);
  }
  const auto buckets = AssignBuckets(cell, data, 3, {2, 1, 1}, 42);
  CHECK(buckets == AssignBuckets(cell, data, 3, {2, 1, 1}, 42));
  CHECK(buckets != AssignBuckets(cell, data, 3, {2, 1, 1}, 43));
  std::vector<size_t> count(3);
  for (uint32_t b : buckets) ++count[b];
  CHECK(count[0] == Approx(1500).margin(90));  // about 3 standard deviations
  CHECK(count[1] == Approx(750).margin(75));
  CHECK(count[2] == Approx(750).margin(75));

  // the ratio check on those buckets: one column, value 1 where assigned
  std::vector<std::vector<double>> values(3, std::vector<double>(3000, NAN));
  for (size_t u = 0; u < 3000; ++u) values[buckets[u]][u] = 1;
  std::vector<ArmRunView> arms = {{"a", true, &values[0]}, {"b", true, &values[1]}, {"c", true, &values[2]}};
  std::vector<std::string> warnings;
  auto srm = SampleRatio(arms, {2, 1, 1}, 1, 0, warnings);
  CHECK(srm["mismatch"] == false);
  CHECK(warnings.empty());
  // losing half of one arm's users is flagged
  for (size_t u = 0; u < 3000; u += 2) values[1][u] = NAN;
  srm = SampleRatio(arms, {2, 1, 1}, 1, 0, warnings);
  CHECK(srm["mismatch"] == true);
  REQUIRE(warnings.size() == 1);
  CHECK(warnings[0].find("sample ratio mismatch") == 0);
}

TEST_CASE("the TREC export writes qrels and runs that trec_eval orders as reclift does", "[runner][trec]") {
  Fixture f;
  // lists for the four users (carol has no relevant item: left out of both files)
  const std::vector<std::vector<uint32_t>> lists = {{4, 2, 5}, {0, 4}, {1}, {4, 1, 5}};
  CHECK(TrecQrels(f.data, f.cell, false) ==
        "alice 0 i2 1\nalice 0 i3 0\n"
        "bob 0 i4 1\n"
        "dave 0 i0 1\n");
  CHECK(TrecQrels(f.data, f.cell, true) ==
        "alice 0 i2 5\nalice 0 i3 0\n"
        "bob 0 i4 5\n"
        "dave 0 i0 4\n");
  CHECK(TrecRun(f.data, f.cell, lists, "my arm") ==
        "alice Q0 i4 1 3 my_arm\nalice Q0 i2 2 2 my_arm\nalice Q0 i5 3 1 my_arm\n"
        "bob Q0 i0 1 2 my_arm\nbob Q0 i4 2 1 my_arm\n"
        "dave Q0 i4 1 3 my_arm\ndave Q0 i1 2 2 my_arm\ndave Q0 i5 3 1 my_arm\n");
}

TEST_CASE("graded qrels are whole numbers trec_eval can read: half stars are doubled", "[runner][trec]") {
  Fixture f;
  CHECK(TrecGainScale(f.cell) == 1);
  // alice's relevant i2 rated 4.5 instead of 5: every gain doubles
  for (UserTest& ut : f.cell.users) {
    for (float& g : ut.gains) g = g == 5.f && &ut == &f.cell.users[0] ? 4.5f : g;
  }
  CHECK(TrecGainScale(f.cell) == 2);
  CHECK(TrecQrels(f.data, f.cell, true) ==
        "alice 0 i2 9\nalice 0 i3 0\n"
        "bob 0 i4 10\n"
        "dave 0 i0 8\n");
  f.cell.users[0].gains[0] = 1.0f / 3.0f;  // no small factor: thousandths, rounded
  CHECK(TrecGainScale(f.cell) == 1000);
  CHECK(TrecQrels(f.data, f.cell, true).substr(0, 15) == "alice 0 i2 333\n");
  const std::string readme = TrecReadme({5, 10}, {"run-a.txt", "run-b.txt"}, true, 2);
  CHECK(readme.find("trec_eval -c -m P.5 -m recall.5 -m ndcg_cut.5 -m map_cut.5 -m success.5 -m P.10") !=
        std::string::npos);
  CHECK(readme.find("-m recip_rank qrels.txt run-b.txt") != std::string::npos);
  CHECK(readme.find("times 2") != std::string::npos);
}
