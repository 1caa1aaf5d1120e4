#include "runner/arm.h"

#include <tbb/parallel_for.h>

#include <chrono>
#include <mutex>

#include "eval/ranker.h"
#include "util/error.h"

namespace reclift::host {

std::string PluginId(const PluginInfo& info) {
  return std::string(info.name) + "@" + info.version;
}

nlohmann::json ParamsToJson(const Params& p) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : p.values()) {
    std::visit([&](const auto& x) { j[k] = x; }, v);
  }
  return j;
}

ParamValue ParamValueFromJson(const nlohmann::json& j) {
  if (j.is_boolean()) return j.get<bool>();
  if (j.is_number_integer()) return j.get<int64_t>();
  if (j.is_number()) return j.get<double>();
  return j.get<std::string>();
}

FittedArm FitArm(const PluginRegistry& registry, const ArmSpec& arm, const TrainData& train,
                 const Context& ctx, tbb::task_arena& arena) {
  FittedArm fitted;
  const auto start = std::chrono::steady_clock::now();
  fitted.model = registry.CreateRecommender(arm.recommender.plugin);
  fitted.plugin = PluginId(fitted.model.info());
  fitted.capabilities = fitted.model.info().capabilities;
  Params params;
  Status s = Params::Build(fitted.model.info().param_specs(), arm.recommender.params, params);
  if (!s.ok())
    throw Error(arm.recommender.where, "recommender '" + arm.recommender.plugin + "': " + s.message());
  fitted.params = ParamsToJson(params);
  // a composite's children are built and fitted here, then handed over
  std::vector<ChildRecommender> views;
  nlohmann::json children_json = nlohmann::json::array();
  for (const auto& use : arm.children) {
    RecommenderHandle child = registry.CreateRecommender(use.plugin);
    Params child_params;
    s = Params::Build(child.info().param_specs(), use.params, child_params);
    if (!s.ok()) throw Error(use.where, "child recommender '" + use.plugin + "': " + s.message());
    s = arena.execute([&] { return child->Fit(train, child_params, ctx); });
    if (!s.ok()) throw Error("child '" + use.plugin + "': Fit failed: " + s.ToString());
    children_json.push_back({{"plugin", PluginId(child.info())}, {"params", ParamsToJson(child_params)}});
    views.push_back({child.get(), child.info().capabilities, child.info().name});
    fitted.children.push_back(std::move(child));
  }
  if (!fitted.children.empty()) {
    fitted.params["children"] = children_json;
    s = fitted.model->SetChildren(views);
    if (!s.ok()) throw Error("SetChildren failed: " + s.ToString());
  }
  s = arena.execute([&] { return fitted.model->Fit(train, params, ctx); });
  if (!s.ok()) throw Error("Fit failed: " + s.ToString());
  fitted.fit_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return fitted;
}

RankedLists RankTestUsers(const FittedArm& arm, const TrainData& train, std::span<const UserTest> users,
                          size_t max_k, tbb::task_arena& arena,
                          const std::vector<std::vector<uint32_t>>* candidates) {
  RankedLists out;
  std::vector<uint32_t> ids(users.size());
  for (size_t i = 0; i < users.size(); ++i) ids[i] = users[i].user;
  RankerOptions ro;
  ro.k = max_k;
  Status s = arena.execute([&] {
    return candidates != nullptr ? RankCandidates(*arm.model, train, ids, *candidates, ro, out.lists)
                                 : RankUsers(*arm.model, arm.capabilities, train, ids, ro, out.lists);
  });
  if (!s.ok()) throw Error("scoring failed: " + s.ToString());
  out.predicted.assign(users.size(), {});
  if (arm.capabilities & kCapPredict) {
    Status first;
    std::mutex m;
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, users.size(), [&](size_t i) {
        out.predicted[i].resize(users[i].items.size());
        Status ps = arm.model->Predict(users[i].user, users[i].items, out.predicted[i]);
        if (!ps.ok()) {
          std::lock_guard<std::mutex> lock(m);
          if (first.ok()) first = ps;
        }
      });
    });
    if (!first.ok()) throw Error("Predict failed: " + first.ToString());
  }
  return out;
}

std::vector<UserEvalInput> EvalInputs(std::span<const UserTest> users, const RankedLists& ranked) {
  std::vector<UserEvalInput> inputs(users.size());
  for (size_t i = 0; i < users.size(); ++i) {
    const UserTest& ut = users[i];
    inputs[i] = UserEvalInput{ut.user,  ranked.lists[i], ut.relevant,        ut.gains,
                              ut.items, ut.values,       ranked.predicted[i]};
  }
  return inputs;
}

}  // namespace reclift::host
