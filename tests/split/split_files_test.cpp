// [split] method = "files": predefined train / validation / test files with
// a {fold} placeholder, read with the [dataset] reader settings, and every
// bad input (missing file, leaked pair, empty test file, other columns)
// reported with its place.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "data/data_test_util.h"
#include "data/dataset.h"
#include "experiment/spec.h"
#include "runner/repeats.h"
#include "split/leakage.h"
#include "split/split.h"

using namespace reclift::host;
using Catch::Matchers::Contains;
using reclift::host::testing::Fixture;
using reclift::host::testing::WriteTemp;

namespace {

// Two folds over users a, b, c and items x, y, z (csv with a header).
void WriteTwoFolds() {
  WriteTemp("f1.train.csv", "user,item,rating,timestamp\na,x,5,10\na,y,3,11\nb,x,4,12\nb,z,2,13\n");
  WriteTemp("f1.test.csv", "user,item,rating,timestamp\na,z,4,14\nc,x,5,15\n");  // c is new
  WriteTemp("f2.train.csv", "user,item,rating,timestamp\na,z,4,14\nc,x,5,15\nb,x,4,12\n");
  WriteTemp("f2.test.csv", "user,item,rating,timestamp\na,x,5,10\nb,w,1,16\n");  // w is new
}

// An experiment next to the temporary files; `split` is the [split] body (from line 8).
std::string Experiment(const std::string& split, const std::string& dataset_extra = "") {
  return "[experiment]\nname = \"files\"\n[dataset]\nvalue_column = \"rating\"\ntimestamp_column = "
         "\"timestamp\"\n" +
         dataset_extra + "[split]\n" + split + "[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n";
}

ExperimentSpec Parse(const std::string& text) {
  return ParseExperimentString(text, WriteTemp("exp.toml", text));
}

std::string LoadError(const std::string& text) {
  try {
    const ExperimentSpec spec = Parse(text);
    LoadDataset(spec.dataset);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

std::set<std::string> Pairs(const Dataset& d, const std::vector<uint64_t>& rows) {
  std::set<std::string> out;
  for (uint64_t r : rows) out.insert(d.user_ids[d.users[r]] + d.item_ids[d.items[r]]);
  return out;
}

const std::string kTwoFolds =
    "method = \"files\"\ntrain = \"f{fold}.train.csv\"\ntest = \"f{fold}.test.csv\"\n"
    "folds = [1, 2]\n";

}  // namespace

TEST_CASE("a files split with {fold} makes one split and one cell per fold", "[split][files]") {
  WriteTwoFolds();
  const ExperimentSpec spec = Parse(Experiment(kTwoFolds));
  CHECK(spec.split.method == "files");
  CHECK(spec.split.folds == 2);
  CHECK(FoldsToRun(spec.split) == std::vector<int>{0, 1});
  CHECK(ExperimentCells(spec).size() == 2);
  CHECK(spec.resolved["split"]["folds"] == nlohmann::json::array({1, 2}));

  const Dataset d = LoadDataset(spec.dataset);
  // the distinct rows of all four files: a-x a-y b-x b-z a-z c-x b-w
  CHECK(d.size() == 7);
  CHECK(d.num_users() == 3);
  CHECK(d.num_items() == 4);
  REQUIRE(d.predefined_splits.size() == 2);

  SplitSpec s = spec.split;
  s.fold = 0;
  const Split one = MakeSplit(d, s);
  CHECK(Pairs(d, one.train) == std::set<std::string>{"ax", "ay", "bx", "bz"});
  CHECK(Pairs(d, one.test) == std::set<std::string>{"az", "cx"});
  CHECK(one.validation.empty());
  REQUIRE_FALSE(one.notes.empty());
  CHECK_THAT(one.notes.front(), Contains("fold 1") && Contains("1 test user and 0 test items unseen"));

  s.fold = 1;
  const Split two = MakeSplit(d, s);
  CHECK(Pairs(d, two.train) == std::set<std::string>{"az", "cx", "bx"});
  CHECK(Pairs(d, two.test) == std::set<std::string>{"ax", "bw"});
  CHECK_THAT(two.notes.front(), Contains("fold 2") && Contains("0 test users and 1 test item unseen"));
  // the values and timestamps come with the rows
  for (uint64_t r : two.test) {
    if (d.item_ids[d.items[r]] == "w") CHECK(d.values[r] == 1.f);
  }
  CHECK(CheckLeakage(d, one, s).findings.size() <= 1);  // no shared pairs (only, maybe, future-leakage)
  for (const auto& f : CheckLeakage(d, one, s).findings) CHECK(f.kind != "test-in-train");
}

TEST_CASE("a files split takes its validation file, or carves one from training", "[split][files]") {
  WriteTemp("v.train.csv",
            "user,item,rating,timestamp\na,x,5,1\na,y,3,2\na,z,1,3\na,w,2,4\nb,x,4,5\nb,y,4,6\n");
  WriteTemp("v.validation.csv", "user,item,rating,timestamp\nb,z,2,7\n");
  WriteTemp("v.test.csv", "user,item,rating,timestamp\nb,w,3,8\n");
  {
    const ExperimentSpec spec =
        Parse(Experiment("method = \"files\"\ntrain = \"v.train.csv\"\nvalidation = "
                         "\"v.validation.csv\"\ntest = \"v.test.csv\"\n"));
    const Dataset d = LoadDataset(spec.dataset);
    const Split s = MakeSplit(d, spec.split);
    CHECK(Pairs(d, s.validation) == std::set<std::string>{"bz"});
    CHECK(s.train.size() == 6);
    CHECK(Pairs(d, s.test) == std::set<std::string>{"bw"});
  }
  {
    const ExperimentSpec spec = Parse(Experiment(
        "method = \"files\"\ntrain = \"v.train.csv\"\ntest = \"v.test.csv\"\nvalidation_fraction = 0.5\n"));
    const Dataset d = LoadDataset(spec.dataset);
    const Split s = MakeSplit(d, spec.split);
    // half of each user's training rows, never a test row
    CHECK(s.validation.size() == 3);
    CHECK(s.train.size() == 3);
    CHECK(Pairs(d, s.test) == std::set<std::string>{"bw"});
    for (uint64_t r : s.validation) CHECK(Pairs(d, {r}).count("bw") == 0);
  }
}

TEST_CASE("split files in the MovieLens layout take the movies of the directory", "[split][files]") {
  WriteTemp("u1.base", "1\t10\t4\t881250949\n2\t10\t5\t881250951\n");
  WriteTemp("u1.test", "1\t20\t3\t881250950\n");
  const std::string text =
      "[experiment]\nname = \"ml\"\n[dataset]\nformat = \"movielens-100k\"\ninteractions = \"" +
      Fixture("ml-100k").string() +
      "\"\n[split]\nmethod = \"files\"\ntrain = \"u{fold}.base\"\ntest = \"u{fold}.test\"\n"
      "folds = [1]\n[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n";
  const ExperimentSpec spec = Parse(text);
  const Dataset d = LoadDataset(spec.dataset);
  CHECK(d.size() == 3);
  CHECK(d.explicit_feedback);
  CHECK(d.has_timestamps());
  // u.item lists four movies: the two rated and two more
  CHECK(d.num_items() == 4);
  CHECK(d.item_features.text[0] == "Toy Story (1995)");
}

TEST_CASE("a missing split file is an error at the key that names it", "[split][files]") {
  WriteTwoFolds();
  const std::string message = LoadError(Experiment(
      "method = \"files\"\ntrain = \"f{fold}.train.csv\"\ntest = \"f{fold}.test.csv\"\nfolds = [1, 3]\n"));
  CHECK_THAT(message, Contains("exp.toml:8:9") && Contains("split.train: no file '") &&
                          Contains("f3.train.csv' (fold 3)"));
}

TEST_CASE("a pair in both a training and a test file is an error naming both lines", "[split][files]") {
  WriteTemp("l.train.csv", "user,item,rating,timestamp\na,x,5,10\nb,y,3,11\n");
  WriteTemp("l.test.csv", "user,item,rating,timestamp\nc,x,4,12\nb,y,2,13\n");
  const std::string split = "method = \"files\"\ntrain = \"l.train.csv\"\ntest = \"l.test.csv\"\n";
  const std::string message = LoadError(Experiment(split));
  CHECK_THAT(message, Contains("exp.toml:9:8") && Contains("(user b, item y)") && Contains("l.train.csv:3") &&
                          Contains("l.test.csv:3") && Contains("split.leakage = \"warn\""));

  SECTION("leakage = \"warn\" makes it a leakage finding") {
    const ExperimentSpec spec = Parse(Experiment(split + "leakage = \"warn\"\n"));
    LoadReport report;
    const Dataset d = LoadDataset(spec.dataset, &report);
    bool noted = false;
    for (const auto& note : report.notes) noted = noted || note.find("l.test.csv:3") != std::string::npos;
    CHECK(noted);
    const Split s = MakeSplit(d, spec.split);
    bool found = false;
    for (const auto& f : CheckLeakage(d, s, spec.split).findings) found = found || f.count == 1;
    CHECK(found);
  }
}

TEST_CASE("an empty test file is an error", "[split][files]") {
  WriteTemp("e.train.csv", "user,item,rating,timestamp\na,x,5,10\n");
  WriteTemp("e.test.csv", "user,item,rating,timestamp\n\n");
  CHECK_THAT(LoadError(Experiment("method = \"files\"\ntrain = \"e.train.csv\"\ntest = \"e.test.csv\"\n")),
             Contains("exp.toml:9:8") && Contains("split.test: '") && Contains("e.test.csv' is empty"));
}

TEST_CASE("split files with other columns than the training file are an error", "[split][files]") {
  WriteTemp("c.train.csv", "user,item,rating,timestamp\na,x,5,10\n");
  WriteTemp("c.test.csv", "user,item,rating\nb,x,4\n");
  CHECK_THAT(LoadError(Experiment("method = \"files\"\ntrain = \"c.train.csv\"\ntest = \"c.test.csv\"\n")),
             Contains("exp.toml:9:8") && Contains("inconsistent columns") &&
                 Contains("columns (user, item, rating)") &&
                 Contains("columns (user, item, rating, timestamp)"));
  // without a header, the number of fields is compared
  WriteTemp("n.train.tsv", "a\tx\t5\t10\n");
  WriteTemp("n.test.tsv", "b\tx\t4\n");
  const std::string headerless =
      "header = false\ndelimiter = \"\\t\"\nuser_column = \"0\"\nitem_column = \"1\"\n";
  const std::string text = "[experiment]\nname = \"files\"\n[dataset]\nvalue_column = \"2\"\n" + headerless +
                           "[split]\nmethod = \"files\"\ntrain = \"n.train.tsv\"\ntest = \"n.test.tsv\"\n"
                           "[[arms]]\nname = \"pop\"\nrecommender = \"popularity\"\n";
  CHECK_THAT(LoadError(text), Contains("3 fields per line") && Contains("4 fields per line"));
}

TEST_CASE("[split] files keys are checked where they are written", "[split][files][experiment]") {
  WriteTwoFolds();
  auto error = [](const std::string& text) {
    try {
      Parse(text);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(
      error(Experiment("method = \"files\"\ntrain = \"f{fold}.train.csv\"\ntest = \"f{fold}.test.csv\"\n")),
      Contains("exp.toml:8:9") && Contains("split.folds is not set"));
  CHECK_THAT(error(Experiment("method = \"files\"\ntest = \"f1.test.csv\"\n")),
             Contains("missing required key 'train' in [split]"));
  CHECK_THAT(error(Experiment("method = \"random\"\ntrain = \"f1.train.csv\"\n",
                              "interactions = \"f1.train.csv\"\n")),
             Contains("exp.toml:9:9") && Contains("only used with method = \"files\""));
  CHECK_THAT(error(Experiment(kTwoFolds + "fold = 1\n")),
             Contains("exp.toml:11:8") && Contains("folds = [3]"));
  CHECK_THAT(error(Experiment(
                 "method = \"files\"\ntrain = \"f1.train.csv\"\ntest = \"f1.test.csv\"\nfolds = [1, 1]\n")),
             Contains("exp.toml:10:") && Contains("listed twice"));
  CHECK_THAT(error(Experiment(
                 "method = \"files\"\ntrain = \"f1.train.csv\"\ntest = \"f1.test.csv\"\nfolds = [1]\n")),
             Contains("hold no {fold}"));
  // [dataset] interactions is not needed: the split names the files
  CHECK_NOTHROW(CheckFiles(Parse(Experiment(kTwoFolds))));
  // `reclift validate` finds a missing fold file before any data is read
  try {
    CheckFiles(Parse(Experiment(
        "method = \"files\"\ntrain = \"f{fold}.train.csv\"\ntest = \"f{fold}.test.csv\"\nfolds = [1, 7]\n")));
    FAIL("no error for a missing file");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Contains("exp.toml:8:9") && Contains("split.train: file not found") &&
                                          Contains("f7.train.csv"));
  }
}
