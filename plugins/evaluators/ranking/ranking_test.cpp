#include "ranking.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace {

using reclift::EvalContext;
using reclift::Params;
using reclift::ParamValue;
using reclift::plugins::RankingEvaluator;
using reclift::plugins::RankingParamSpecs;

// 1 / log2(r + 1) for the ranks used below.
constexpr double kDiscount3 = 0.63092975357145743;  // 1 / log2(3)
constexpr double kDiscount5 = 0.43067655807339306;  // 1 / log2(5)

RankingEvaluator Configured(std::vector<int> ks, const std::map<std::string, ParamValue>& given = {},
                            uint32_t num_items = 100) {
  static std::vector<int> storage;  // EvalContext only borrows the cut-offs
  storage = std::move(ks);
  Params params;
  REQUIRE(Params::Build(RankingParamSpecs(), given, params).ok());
  EvalContext ctx;
  ctx.num_items = num_items;
  ctx.ks = storage;
  RankingEvaluator evaluator;
  REQUIRE(evaluator.Configure(params, ctx).ok());
  return evaluator;
}

// Evaluates one list and returns the values by column name ("ndcg@3").
std::map<std::string, double> Evaluate(const RankingEvaluator& evaluator, std::vector<uint32_t> ranked,
                                       std::vector<uint32_t> relevant, std::vector<float> gains = {}) {
  reclift::UserEvalInput input;
  input.ranked = ranked;
  input.relevant = relevant;
  if (gains.empty()) gains.assign(relevant.size(), 1.f);
  input.relevant_gain = gains;
  const auto columns = evaluator.Columns();
  std::vector<double> out(columns.size(), -1.0);
  REQUIRE(evaluator.EvaluateUser(input, out).ok());
  std::map<std::string, double> by_name;
  for (size_t c = 0; c < columns.size(); ++c) by_name[columns[c].name] = out[c];
  return by_name;
}

}  // namespace

TEST_CASE("ranking declares seven metrics per cut-off, metric-major, cut-offs ascending", "[ranking]") {
  auto evaluator = Configured({10, 5, 10});
  auto columns = evaluator.Columns();
  REQUIRE(columns.size() == 14u);
  CHECK(columns[0].name == "precision@5");
  CHECK(columns[1].name == "precision@10");
  CHECK(columns[2].name == "recall@5");
  CHECK(columns[6].name == "hit_rate@5");
  CHECK(columns[11].name == "map@10");
  CHECK(columns[11].metric == "map");
  CHECK(columns[11].k == 10);
  CHECK(columns[4].higher_is_better);
  CHECK(columns[4].aggregation == reclift::Aggregation::kMeanOverUsers);
  // auc, added in 1.1.0, comes last so the earlier columns keep their positions
  CHECK(columns[12].name == "auc@5");
  CHECK(columns[13].name == "auc@10");
  CHECK(columns[13].metric == "auc");
  CHECK(columns[13].higher_is_better);
}

TEST_CASE("ranking metrics of a list with hits at ranks 2 and 4", "[ranking][golden]") {
  // ranked 10 20 30 40 50; relevant {20, 40, 60}: hits at ranks 2 and 4, |rel| = 3
  // IDCG@3 = IDCG@5 = 1 + 1/log2(3) + 1/log2(4) = 1 + 0.6309298 + 0.5 = 2.1309298 (3 relevant items)
  auto m = Evaluate(Configured({1, 3, 5}), {10, 20, 30, 40, 50}, {20, 40, 60});
  SECTION("k = 1: no hit in the top 1, everything is zero") {
    CHECK(m["precision@1"] == 0.0);
    CHECK(m["recall@1"] == 0.0);
    CHECK(m["ndcg@1"] == 0.0);
    CHECK(m["hit_rate@1"] == 0.0);
    CHECK(m["mrr@1"] == 0.0);
    CHECK(m["map@1"] == 0.0);
    // auc: 100 items, P = 3 relevant, N = 97 non-relevant; the list [10] holds one
    // non-relevant item, so U = 96 non-relevant items are tied with the 3 relevant
    // ones below it: (0.5 * 3 * 96) / (3 * 97) = 48 / 97
    CHECK(m["auc@1"] == Approx(48.0 / 97));
  }
  SECTION("k = 3: one hit, at rank 2") {
    CHECK(m["precision@3"] == Approx(1.0 / 3));        // 1 hit / 3
    CHECK(m["recall@3"] == Approx(1.0 / 3));           // 1 hit / 3 relevant
    CHECK(m["ndcg@3"] == Approx(0.2960819109658652));  // (1/log2(3)) / 2.1309298
    CHECK(m["hit_rate@3"] == 1.0);
    CHECK(m["mrr@3"] == Approx(0.5));      // first hit at rank 2
    CHECK(m["map@3"] == Approx(1.0 / 6));  // P@2 / 3 = (1/2) / 3
    // auc: hit 20 beats all 97 non-relevant items but 10 (listed above it): 96;
    // the 2 unlisted relevant items tie with the U = 97 - 2 = 95 unlisted
    // non-relevant ones: 0.5 * 2 * 95 = 95. (96 + 95) / (3 * 97) = 191 / 291
    CHECK(m["auc@3"] == Approx(191.0 / 291));
  }
  SECTION("k = 5: two hits, at ranks 2 and 4") {
    CHECK(m["precision@5"] == Approx(0.4));   // 2 / 5
    CHECK(m["recall@5"] == Approx(2.0 / 3));  // 2 / 3
    // DCG@5 = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766 = 1.0616063; / 2.1309298 = 0.4981893
    CHECK(m["ndcg@5"] == Approx((kDiscount3 + kDiscount5) / 2.1309297535714578));
    CHECK(m["ndcg@5"] == Approx(0.49818925746641285));
    CHECK(m["hit_rate@5"] == 1.0);
    CHECK(m["mrr@5"] == Approx(0.5));
    CHECK(m["map@5"] == Approx(1.0 / 3));  // (P@2 + P@4) / 3 = (1/2 + 2/4) / 3
    // auc: hit 20 beats 97 - 1 = 96, hit 40 beats 97 - 2 (10 and 30 above) = 95;
    // unlisted relevant 60 ties with U = 97 - 3 = 94: 0.5 * 94 = 47.
    // (96 + 95 + 47) / 291 = 238 / 291
    CHECK(m["auc@5"] == Approx(238.0 / 291));
  }
}

TEST_CASE("ranking ndcg with graded gains uses the gains linearly, ideal order by gain",
          "[ranking][golden]") {
  // ranked 1 2 3; relevant 1 (gain 1), 3 (gain 3), 7 (gain 2): hits at ranks 1 and 3
  const std::vector<uint32_t> ranked{1, 2, 3};
  const std::vector<uint32_t> relevant{1, 3, 7};
  const std::vector<float> gains{1.f, 3.f, 2.f};
  SECTION("graded") {
    auto m = Evaluate(Configured({1, 3}, {{"gain", std::string("graded")}}), ranked, relevant, gains);
    // DCG@3 = 1/log2(2) + 3/log2(4) = 1 + 1.5 = 2.5
    // IDCG@3 (gains 3, 2, 1) = 3/1 + 2/log2(3) + 1/log2(4) = 3 + 1.2618595 + 0.5 = 4.7618595
    CHECK(m["ndcg@3"] == Approx(2.5 / 4.7618595071429155));  // 0.5250050
    // DCG@1 = 1; IDCG@1 = 3 (the best item first)
    CHECK(m["ndcg@1"] == Approx(1.0 / 3));
    // the other metrics ignore gains
    CHECK(m["precision@3"] == Approx(2.0 / 3));
    CHECK(m["map@3"] == Approx((1.0 + 2.0 / 3) / 3));  // (P@1 + P@3) / 3 = 0.5555556
  }
  SECTION("binary, the default, ignores the gains") {
    auto m = Evaluate(Configured({1, 3}), ranked, relevant, gains);
    // DCG@3 = 1 + 1/log2(4) = 1.5; IDCG@3 = 2.1309298
    CHECK(m["ndcg@3"] == Approx(0.7039180890341347));
    CHECK(m["ndcg@1"] == Approx(1.0));
  }
}

TEST_CASE("ranking with k larger than the list keeps k as the precision denominator", "[ranking][golden]") {
  // ranked 5 6 (2 items), relevant {5}, k = 10
  auto m = Evaluate(Configured({10}), {5, 6}, {5});
  CHECK(m["precision@10"] == Approx(0.1));  // 1 hit / 10, not / 2 (trec_eval P_10)
  CHECK(m["recall@10"] == 1.0);
  CHECK(m["ndcg@10"] == Approx(1.0));  // DCG = IDCG = 1/log2(2)
  CHECK(m["hit_rate@10"] == 1.0);
  CHECK(m["mrr@10"] == 1.0);
  CHECK(m["map@10"] == Approx(1.0));  // P@1 / 1
}

TEST_CASE("ranking of a list with no hits is zero everywhere but auc", "[ranking][golden]") {
  auto m = Evaluate(Configured({3}), {1, 2, 3}, {9});
  for (const char* metric : RankingEvaluator::kMetrics) {
    if (std::string(metric) != "auc") CHECK(m[std::string(metric) + "@3"] == 0.0);
  }
  // 100 items, P = 1, N = 99; 3 non-relevant listed above item 9, which ties with
  // the U = 96 unlisted non-relevant items: 0.5 * 96 / 99
  CHECK(m["auc@3"] == Approx(48.0 / 99));
}

TEST_CASE("ranking of a list of only relevant items is perfect", "[ranking][golden]") {
  auto m = Evaluate(Configured({3, 5}), {1, 2, 3}, {1, 2, 3});
  for (const char* metric : RankingEvaluator::kMetrics) CHECK(m[std::string(metric) + "@3"] == Approx(1.0));
  // at k = 5 the list is shorter than k: precision 3 / 5; the rest still see every relevant item
  CHECK(m["precision@5"] == Approx(0.6));
  CHECK(m["recall@5"] == Approx(1.0));
  CHECK(m["ndcg@5"] == Approx(1.0));
  CHECK(m["map@5"] == Approx(1.0));  // (1/1 + 2/2 + 3/3) / 3
}

TEST_CASE("ranking of an empty list is zero everywhere, and auc one half", "[ranking][golden]") {
  auto m = Evaluate(Configured({1, 10}), {}, {4, 8});
  for (const auto& [name, value] : m) {
    if (name.rfind("auc@", 0) != 0) CHECK(value == 0.0);
  }
  // every item is tied at the bottom: each relevant/non-relevant pair counts 1/2
  CHECK(m["auc@1"] == Approx(0.5));
  CHECK(m["auc@10"] == Approx(0.5));
  CHECK(m.size() == 14u);
}

TEST_CASE("ranking leaves a user with no relevant item out of every metric", "[ranking]") {
  auto m = Evaluate(Configured({2}), {1, 2}, {});
  // every column is NaN, so the host leaves the user out of the means (such a
  // user is evaluated only by metrics that need no relevance, e.g. rating error)
  for (const char* c : {"precision@2", "recall@2", "ndcg@2", "hit_rate@2", "mrr@2", "map@2", "auc@2"}) {
    INFO(c);
    CHECK(std::isnan(m[c]));
  }
}

TEST_CASE("ranking map@k divides by |relevant| or, on request, by min(k, |relevant|)", "[ranking][golden]") {
  // ranked 1 2 3 4 5; relevant {2, 7, 8, 9, 10, 11} (6 items): one hit, at rank 2; P@2 = 1/2
  const std::vector<uint32_t> ranked{1, 2, 3, 4, 5};
  const std::vector<uint32_t> relevant{2, 7, 8, 9, 10, 11};
  auto by_relevant = Evaluate(Configured({3}), ranked, relevant);
  CHECK(by_relevant["map@3"] == Approx(0.5 / 6));  // trec_eval map_cut_3 = 0.0833333
  auto by_min =
      Evaluate(Configured({3}, {{"map_denominator", std::string("min_k_relevant")}}), ranked, relevant);
  CHECK(by_min["map@3"] == Approx(0.5 / 3));  // min(3, 6) = 3 -> 0.1666667
}

TEST_CASE("ranking counts a relevant item recommended twice only once", "[ranking]") {
  // ranked 2 2 3, relevant {2}: one hit at rank 1; the repeat at rank 2 is not a hit
  auto m = Evaluate(Configured({3}), {2, 2, 3}, {2});
  CHECK(m["precision@3"] == Approx(1.0 / 3));
  CHECK(m["recall@3"] == 1.0);
  CHECK(m["ndcg@3"] == Approx(1.0));
  CHECK(m["map@3"] == Approx(1.0));
}

TEST_CASE("ranking refuses bad cut-offs and mismatched inputs with a message", "[ranking]") {
  Params params;
  REQUIRE(Params::Build(RankingParamSpecs(), {}, params).ok());
  RankingEvaluator evaluator;
  EvalContext ctx;
  CHECK(evaluator.Configure(params, ctx).message() == "ranking: no cut-off k was given");
  const std::vector<int> bad{5, 0};
  ctx.ks = bad;
  CHECK(evaluator.Configure(params, ctx).message() == "ranking: a cut-off k must be positive, found 0");

  const std::vector<int> good{5};
  ctx.ks = good;
  CHECK(evaluator.Configure(params, ctx).message() ==
        "ranking: auc needs the catalogue size, but EvalContext.num_items is 0");

  reclift::UserEvalInput input;
  std::vector<double> out(7);
  CHECK(RankingEvaluator().EvaluateUser(input, out).message() ==
        "ranking: EvaluateUser called before Configure");

  auto configured = Configured({5});
  std::vector<double> too_few(6);
  CHECK(configured.EvaluateUser(input, too_few).message() == "ranking: 6 output slots for 7 columns");
  const std::vector<uint32_t> relevant{1, 2};
  const std::vector<float> gains{1.f};
  input.relevant = relevant;
  input.relevant_gain = gains;
  CHECK(configured.EvaluateUser(input, out).message() == "ranking: 2 relevant items but 1 gains");

  auto status = Params::Build(RankingParamSpecs(), {{"gain", std::string("exponential")}}, params);
  CHECK(status.message() ==
        "parameter 'gain': expected a string (one of binary|graded), found \"exponential\"");
}

TEST_CASE("ranking auc ties unlisted items below the list, each tied pair counting one half",
          "[ranking][golden]") {
  // 10 items; relevant {2, 5}: P = 2, N = 8 non-relevant; ranked 2 7 5
  const std::vector<uint32_t> ranked{2, 7, 5};
  const std::vector<uint32_t> relevant{2, 5};
  auto m = Evaluate(Configured({1, 3}, {}, 10), ranked, relevant);
  // k = 3: item 2 is above all 8 non-relevant items; item 5 is below 7 and above
  // the 7 unlisted ones: (8 + 7) / (2 * 8) = 15 / 16
  CHECK(m["auc@3"] == Approx(15.0 / 16));
  // k = 1: the list is [2]: 2 beats all 8; unlisted 5 ties with the 8: 0.5 * 8 = 4.
  // (8 + 4) / 16 = 12 / 16
  CHECK(m["auc@1"] == Approx(0.75));
  SECTION("a relevant item at the bottom of a full ranking scores as the plain AUC") {
    // every item listed: 2 first, 5 last of 10: item 2 beats 8, item 5 beats 0 -> 8 / 16
    auto full = Evaluate(Configured({10}, {}, 10), {2, 0, 1, 3, 4, 6, 7, 8, 9, 5}, relevant);
    CHECK(full["auc@10"] == Approx(0.5));
  }
  SECTION("a repeated non-relevant item is one item") {
    // 2 7 7 5 orders the same pairs as 2 7 5
    auto repeated = Evaluate(Configured({4}, {}, 10), {2, 7, 7, 5}, relevant);
    CHECK(repeated["auc@4"] == Approx(15.0 / 16));
  }
}

TEST_CASE("ranking auc matches counting every relevant/non-relevant pair", "[ranking][golden]") {
  // An independent transcription of the definition: every item gets a rank (its
  // list position, or a shared rank below the list), and every (relevant,
  // non-relevant) pair scores 1 when the relevant item is above, 1/2 when tied.
  const uint32_t num_items = 12;
  const std::vector<uint32_t> relevant{0, 3, 4, 9};
  const std::vector<std::vector<uint32_t>> lists{
      {3, 1, 2, 9}, {1, 2, 5, 6, 7, 8, 10}, {0, 3, 4, 9}, {11, 10, 9, 8, 7, 6}, {5}};
  auto evaluator = Configured({1, 2, 4, 7}, {}, num_items);
  for (const auto& list : lists) {
    auto m = Evaluate(evaluator, list, relevant);
    for (int k : {1, 2, 4, 7}) {
      std::vector<size_t> rank(num_items, 1000);  // unlisted: tied below the list
      for (size_t p = 0; p < list.size() && p < static_cast<size_t>(k); ++p) rank[list[p]] = p;
      double right = 0, pairs = 0;
      for (uint32_t pos : relevant) {
        for (uint32_t neg = 0; neg < num_items; ++neg) {
          if (std::find(relevant.begin(), relevant.end(), neg) != relevant.end()) continue;
          pairs += 1;
          right += rank[pos] < rank[neg] ? 1.0 : rank[pos] == rank[neg] ? 0.5 : 0.0;
        }
      }
      INFO("k = " << k << ", list of " << list.size());
      CHECK(m["auc@" + std::to_string(k)] == Approx(right / pairs));
    }
  }
}

TEST_CASE("ranking refuses an auc whose items outnumber the catalogue", "[ranking]") {
  // a catalogue of 3 cannot hold relevant {0, 1} and listed non-relevant 5 and 6
  auto evaluator = Configured({4}, {}, 3);
  const std::vector<uint32_t> ranked{5, 6};
  const std::vector<uint32_t> relevant{0, 1};
  const std::vector<float> gains{1.f, 1.f};
  reclift::UserEvalInput input;
  input.user = 7;
  input.ranked = ranked;
  input.relevant = relevant;
  input.relevant_gain = gains;
  std::vector<double> out(evaluator.Columns().size());
  CHECK(evaluator.EvaluateUser(input, out).message() ==
        "ranking: user 7 has 4 distinct relevant and listed items, more than the catalogue's 3");
}
