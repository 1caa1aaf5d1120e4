#include "scaffold/scaffold.h"

#include <regex>

#include "util/atomic_file.h"
#include "util/error.h"

namespace reclift::host {
namespace fs = std::filesystem;
namespace {

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size()) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string CamelCase(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

const char* kCMake = R"(# Builds in the reclift tree (plugins/<kind>s/<name>/) or on its own:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<reclift install prefix> && cmake --build build && ctest --test-dir build
if(NOT COMMAND reclift_add_plugin)
  cmake_minimum_required(VERSION 3.25)
  project(@NAME@ LANGUAGES CXX)
  find_package(reclift REQUIRED)
  enable_testing()
endif()
reclift_add_plugin(NAME @NAME@ SOURCES @NAME@.cpp TESTS @NAME@_test.cpp)
)";

const char* kRecommenderHeader = R"(// @NAME@: a recommender plugin. Replace the scoring with your algorithm.
#pragma once

#include <reclift/reclift.h>

#include <vector>

// Scores an item by how many training users interacted with it, plus
// `prior` (a smoothing constant, to show how parameters work).
class @CLASS@ final : public reclift::Recommender {
 public:
  reclift::Status Fit(const reclift::TrainData& data, const reclift::Params& params,
                      const reclift::Context& ctx) override;
  reclift::Status Score(uint32_t user, std::span<const uint32_t> items, std::span<float> out) const override;

 private:
  std::vector<float> item_scores_;
};
)";

const char* kRecommenderSource = R"(#include "@NAME@.h"

reclift::Status @CLASS@::Fit(const reclift::TrainData& data, const reclift::Params& params,
                            const reclift::Context& ctx) {
  const float prior = static_cast<float>(params.GetFloat("prior"));
  item_scores_.assign(data.num_items, prior);
  for (uint32_t i = 0; i < data.num_items; ++i) item_scores_[i] += static_cast<float>(data.by_item.RowSize(i));
  ctx.Info("fitted on " + std::to_string(data.nnz()) + " interactions");
  return reclift::Status::Ok();
}

reclift::Status @CLASS@::Score(uint32_t, std::span<const uint32_t> items, std::span<float> out) const {
  for (size_t j = 0; j < items.size(); ++j) out[j] = item_scores_[items[j]];
  return reclift::Status::Ok();
}

static const reclift::ParamSpec kParams[] = {
    {"prior", reclift::ParamType::kFloat, "0.0", 0.0, 1000.0, nullptr, "added to every item's score"},
};

RECLIFT_RECOMMENDER_PLUGIN(@CLASS@, "@NAME@", "0.1.0", "Describe @NAME@ in one line", kParams, 0)
)";

const char* kRecommenderTest = R"(#include <catch2/catch.hpp>
#include <reclift/owned_train_data.h>

#include "@NAME@.h"

extern "C" const reclift::PluginInfo* reclift_plugin_info();  // defined by the export macro

TEST_CASE("@NAME@ ranks the item with more users first", "[@NAME@]") {
  // users 0 and 1 both took item 2; only user 0 took item 0
  auto data = reclift::OwnedTrainData::FromTriplets(3, 3, {{0, 0, 1.f}, {0, 2, 1.f}, {1, 2, 1.f}});
  reclift::Params params;
  REQUIRE(reclift::Params::Build(reclift_plugin_info()->param_specs(), {{"prior", 0.5}}, params).ok());
  @CLASS@ model;
  REQUIRE(model.Fit(data.view(), params, reclift::Context{}).ok());
  const uint32_t items[] = {0, 1, 2};
  float scores[3];
  REQUIRE(model.Score(2, items, scores).ok());
  CHECK(scores[0] == Approx(1.5));  // 1 user + prior 0.5
  CHECK(scores[1] == Approx(0.5));  // nobody + prior
  CHECK(scores[2] == Approx(2.5));  // 2 users + prior
}
)";

const char* kProfilerHeader = R"(// @NAME@: a profiler plugin. Replace the segmentation with yours.
#pragma once

#include <reclift/reclift.h>

#include <vector>

// Two segments: users whose history is at most `threshold` items ("short")
// and the others ("long").
class @CLASS@ final : public reclift::Profiler {
 public:
  reclift::Status Fit(const reclift::TrainData& data, const reclift::Params& params,
                      const reclift::Context& ctx) override;
  reclift::Status Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const override;

 private:
  std::vector<uint32_t> segment_;
};
)";

const char* kProfilerSource = R"(#include "@NAME@.h"

reclift::Status @CLASS@::Fit(const reclift::TrainData& data, const reclift::Params& params,
                            const reclift::Context&) {
  const auto threshold = static_cast<size_t>(params.GetInt("threshold"));
  segment_.resize(data.num_users);
  for (uint32_t u = 0; u < data.num_users; ++u) segment_[u] = data.by_user.RowSize(u) > threshold ? 1 : 0;
  return reclift::Status::Ok();
}

reclift::Status @CLASS@::Segments(std::vector<std::string>& names, std::span<uint32_t> user_segment) const {
  names = {"short", "long"};
  for (size_t u = 0; u < user_segment.size() && u < segment_.size(); ++u) user_segment[u] = segment_[u];
  return reclift::Status::Ok();
}

static const reclift::ParamSpec kParams[] = {
    {"threshold", reclift::ParamType::kInt, "5", 0, 1000000, nullptr, "longest history counted as short"},
};

RECLIFT_PROFILER_PLUGIN(@CLASS@, "@NAME@", "0.1.0", "Describe @NAME@ in one line", kParams)
)";

const char* kProfilerTest = R"(#include <catch2/catch.hpp>
#include <reclift/owned_train_data.h>

#include "@NAME@.h"

extern "C" const reclift::PluginInfo* reclift_plugin_info();  // defined by the export macro

TEST_CASE("@NAME@ splits users by history length", "[@NAME@]") {
  auto data = reclift::OwnedTrainData::FromTriplets(2, 3, {{0, 0, 1.f}, {0, 1, 1.f}, {0, 2, 1.f}});
  reclift::Params params;
  REQUIRE(reclift::Params::Build(reclift_plugin_info()->param_specs(), {{"threshold", int64_t{2}}}, params).ok());
  @CLASS@ profiler;
  REQUIRE(profiler.Fit(data.view(), params, reclift::Context{}).ok());
  std::vector<std::string> names;
  std::vector<uint32_t> segment(2);
  REQUIRE(profiler.Segments(names, segment).ok());
  CHECK(names[segment[0]] == "long");   // 3 items > 2
  CHECK(names[segment[1]] == "short");  // no items
}
)";

const char* kEvaluatorHeader = R"(// @NAME@: an evaluator plugin. Replace the metric with yours.
#pragma once

#include <reclift/reclift.h>

#include <vector>

// "@NAME@@k": the share of the top k that is relevant, counting a list
// shorter than k over its own length.
class @CLASS@ final : public reclift::Evaluator {
 public:
  reclift::Status Configure(const reclift::Params& params, const reclift::EvalContext& ctx) override;
  std::vector<reclift::MetricColumn> Columns() const override;
  reclift::Status EvaluateUser(const reclift::UserEvalInput& user, std::span<double> out) const override;

 private:
  std::vector<int> ks_;
};
)";

const char* kEvaluatorSource = R"(#include "@NAME@.h"

#include <algorithm>

reclift::Status @CLASS@::Configure(const reclift::Params&, const reclift::EvalContext& ctx) {
  ks_.assign(ctx.ks.begin(), ctx.ks.end());
  return reclift::Status::Ok();
}

std::vector<reclift::MetricColumn> @CLASS@::Columns() const {
  std::vector<reclift::MetricColumn> cols;
  for (int k : ks_) cols.push_back({"@NAME@@" + std::to_string(k), "@NAME@", k, true, reclift::Aggregation::kMeanOverUsers});
  return cols;
}

reclift::Status @CLASS@::EvaluateUser(const reclift::UserEvalInput& user, std::span<double> out) const {
  for (size_t c = 0; c < ks_.size(); ++c) {
    const size_t n = std::min(user.ranked.size(), static_cast<size_t>(ks_[c]));
    size_t hits = 0;
    for (size_t r = 0; r < n; ++r) {
      hits += std::binary_search(user.relevant.begin(), user.relevant.end(), user.ranked[r]);
    }
    out[c] = n == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(n);
  }
  return reclift::Status::Ok();
}

RECLIFT_EVALUATOR_PLUGIN(@CLASS@, "@NAME@", "0.1.0", "Describe @NAME@ in one line", nullptr)
)";

const char* kEvaluatorTest = R"(#include <catch2/catch.hpp>

#include "@NAME@.h"

TEST_CASE("@NAME@ counts relevant items over the list length", "[@NAME@]") {
  @CLASS@ evaluator;
  const int ks[] = {2, 4};
  reclift::EvalContext ctx;
  ctx.ks = ks;
  REQUIRE(evaluator.Configure(reclift::Params{}, ctx).ok());
  const uint32_t ranked[] = {7, 3, 9};
  const uint32_t relevant[] = {3, 9};
  reclift::UserEvalInput user;
  user.ranked = ranked;
  user.relevant = relevant;
  double out[2];
  REQUIRE(evaluator.EvaluateUser(user, out).ok());
  CHECK(out[0] == Approx(0.5));      // top 2 = {7, 3}: one hit
  CHECK(out[1] == Approx(2.0 / 3));  // the list has 3 items: two hits
}
)";

const char* kReadme = R"(# @NAME@ (@KIND@ plugin)

One line on what it does, and the paper or idea behind it.

## Parameters

| name | type | default | range | meaning |
|---|---|---|---|---|
| (see `reclift plugins --kind @KIND@`) | | | | |

## Build and test

In the reclift tree this folder is picked up by `plugins/CMakeLists.txt`.
On its own, against an installed reclift:

    cmake -S . -B build -DCMAKE_PREFIX_PATH=/path/to/reclift/prefix
    cmake --build build
    ctest --test-dir build        # the plugin's tests and the shared contract

Then point an experiment at it: `plugin_paths = ["build/plugins-out"]` in
`[experiment]`, or `RECLIFT_PLUGIN_PATH=build/plugins-out`.
)";

}  // namespace

std::vector<fs::path> ScaffoldPlugin(const std::string& kind, const std::string& name, const fs::path& dir) {
  if (kind != "recommender" && kind != "profiler" && kind != "evaluator") {
    throw Error("reclift new: unknown plugin kind '" + kind +
                "': expected recommender, profiler or evaluator");
  }
  if (!std::regex_match(name, std::regex("[a-z][a-z0-9_]*"))) {
    throw Error("reclift new: plugin name '" + name +
                "' must be lower_snake_case: a letter, then letters, digits or underscores");
  }
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_empty(dir, ec)) {
    throw Error("reclift new: " + dir.string() + " already exists and is not empty; choose another --dir");
  }
  const char *header, *source, *test;
  if (kind == "recommender") {
    header = kRecommenderHeader, source = kRecommenderSource, test = kRecommenderTest;
  } else if (kind == "profiler") {
    header = kProfilerHeader, source = kProfilerSource, test = kProfilerTest;
  } else {
    header = kEvaluatorHeader, source = kEvaluatorSource, test = kEvaluatorTest;
  }
  auto fill = [&](const char* t) {
    return Replace(Replace(Replace(t, "@CLASS@", CamelCase(name)), "@NAME@", name), "@KIND@", kind);
  };
  const std::vector<std::pair<std::string, std::string>> files = {
      {"CMakeLists.txt", fill(kCMake)}, {name + ".h", fill(header)},  {name + ".cpp", fill(source)},
      {name + "_test.cpp", fill(test)}, {"README.md", fill(kReadme)},
  };
  std::vector<fs::path> written;
  for (const auto& [file, content] : files) {
    WriteFileAtomic(dir / file, content);
    written.push_back(dir / file);
  }
  return written;
}

}  // namespace reclift::host
