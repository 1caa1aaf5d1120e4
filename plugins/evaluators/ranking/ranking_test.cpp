#include "ranking.h"

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

RankingEvaluator Configured(std::vector<int> ks, const std::map<std::string, ParamValue>& given = {}) {
  static std::vector<int> storage;  // EvalContext only borrows the cut-offs
  storage = std::move(ks);
  Params params;
  REQUIRE(Params::Build(RankingParamSpecs(), given, params).ok());
  EvalContext ctx;
  ctx.num_items = 100;
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

TEST_CASE("ranking declares six metrics per cut-off, metric-major, cut-offs ascending", "[ranking]") {
  auto evaluator = Configured({10, 5, 10});
  auto columns = evaluator.Columns();
  REQUIRE(columns.size() == 12u);
  CHECK(columns[0].name == "precision@5");
  CHECK(columns[1].name == "precision@10");
  CHECK(columns[2].name == "recall@5");
  CHECK(columns[6].name == "hit_rate@5");
  CHECK(columns[11].name == "map@10");
  CHECK(columns[11].metric == "map");
  CHECK(columns[11].k == 10);
  CHECK(columns[4].higher_is_better);
  CHECK(columns[4].aggregation == reclift::Aggregation::kMeanOverUsers);
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
  }
  SECTION("k = 3: one hit, at rank 2") {
    CHECK(m["precision@3"] == Approx(1.0 / 3));        // 1 hit / 3
    CHECK(m["recall@3"] == Approx(1.0 / 3));           // 1 hit / 3 relevant
    CHECK(m["ndcg@3"] == Approx(0.2960819109658652));  // (1/log2(3)) / 2.1309298
    CHECK(m["hit_rate@3"] == 1.0);
    CHECK(m["mrr@3"] == Approx(0.5));      // first hit at rank 2
    CHECK(m["map@3"] == Approx(1.0 / 6));  // P@2 / 3 = (1/2) / 3
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

TEST_CASE("ranking of a list with no hits is zero everywhere", "[ranking][golden]") {
  auto m = Evaluate(Configured({3}), {1, 2, 3}, {9});
  for (const char* metric : RankingEvaluator::kMetrics) CHECK(m[std::string(metric) + "@3"] == 0.0);
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

TEST_CASE("ranking of an empty list is zero everywhere", "[ranking][golden]") {
  auto m = Evaluate(Configured({1, 10}), {}, {4, 8});
  for (const auto& [name, value] : m) CHECK(value == 0.0);
  CHECK(m.size() == 12u);
}

TEST_CASE("ranking leaves ratio metrics undefined for a user with no relevant item", "[ranking]") {
  auto m = Evaluate(Configured({2}), {1, 2}, {});
  // defined: nothing was hit
  CHECK(m["precision@2"] == 0.0);
  CHECK(m["hit_rate@2"] == 0.0);
  CHECK(m["mrr@2"] == 0.0);
  // 0 / 0: NaN, so the host leaves the user out of the mean
  CHECK(std::isnan(m["recall@2"]));
  CHECK(std::isnan(m["ndcg@2"]));
  CHECK(std::isnan(m["map@2"]));
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

  reclift::UserEvalInput input;
  std::vector<double> out(6);
  CHECK(evaluator.EvaluateUser(input, out).message() == "ranking: EvaluateUser called before Configure");

  auto configured = Configured({5});
  std::vector<double> too_few(5);
  CHECK(configured.EvaluateUser(input, too_few).message() == "ranking: 5 output slots for 6 columns");
  const std::vector<uint32_t> relevant{1, 2};
  const std::vector<float> gains{1.f};
  input.relevant = relevant;
  input.relevant_gain = gains;
  CHECK(configured.EvaluateUser(input, out).message() == "ranking: 2 relevant items but 1 gains");

  auto status = Params::Build(RankingParamSpecs(), {{"gain", std::string("exponential")}}, params);
  CHECK(status.message() ==
        "parameter 'gain': expected a string (one of binary|graded), found \"exponential\"");
}
