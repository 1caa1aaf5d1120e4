#include "data/movielens.h"

#include <array>

#include "data/text_parse.h"

namespace reclift::host {
namespace {

// the genre flags of u.item, in order, when u.genre is missing
constexpr std::array<const char*, 19> kMovieLens100kGenres = {
    "unknown",     "Action", "Adventure", "Animation", "Children's", "Comedy",  "Crime",
    "Documentary", "Drama",  "Fantasy",   "Film-Noir", "Horror",     "Musical", "Mystery",
    "Romance",     "Sci-Fi", "Thriller",  "War",       "Western"};

SourceLocation Where(const DatasetSpec& spec, const char* key) {
  auto it = spec.where.find(key);
  return it != spec.where.end() ? it->second : SourceLocation{};
}

std::filesystem::path RequireFile(const DatasetSpec& spec, const char* name, const char* expected) {
  const std::filesystem::path dir = spec.interactions;
  std::error_code ec;
  const SourceLocation where = Where(spec, "interactions");
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(where, "format = \"" + spec.format + "\" reads a MovieLens directory (" + expected +
                           "), but '" + dir.string() + "' is " +
                           (std::filesystem::exists(dir, ec) ? "not a directory" : "missing") +
                           "; see datasets/README.md for where to put the download");
  }
  const std::filesystem::path file = dir / name;
  if (!std::filesystem::exists(file, ec)) {
    throw Error(where, "no " + std::string(name) + " in '" + dir.string() + "': format = \"" + spec.format +
                           "\" expects " + expected + "; see datasets/README.md");
  }
  return file;
}

InteractionFileFormat RatingsFormat(const DatasetSpec& spec, const std::filesystem::path& file) {
  InteractionFileFormat f;
  f.path = file;
  f.where = Where(spec, "interactions");
  f.skip_bad_rows = spec.on_bad_rows == "skip";
  f.chunk_bytes = spec.parse_chunk_bytes;
  return f;
}

class BadLines {
 public:
  BadLines(const DatasetSpec& spec, std::string file)
      : skip_(spec.on_bad_rows == "skip"), file_(std::move(file)) {}
  void Report(uint64_t line, const std::string& message) {
    if (!skip_) throw Error(SourceLocation{file_, static_cast<int>(line)}, message);
    if (count_++ == 0) first_ = file_ + ":" + std::to_string(line) + ": " + message;
  }
  void AddNote(std::vector<std::string>& notes) const {
    if (count_ > 0)
      notes.push_back("skipped " + std::to_string(count_) + " bad lines of " + file_ +
                      "; the first: " + first_);
  }

 private:
  bool skip_;
  std::string file_;
  size_t count_ = 0;
  std::string first_;
};

void AddMovie(uint32_t item, std::string_view title, ItemFeatureBuilder& features, size_t year_column) {
  features.AppendText(item, title);
  if (const int year = TitleYear(title); year > 0)
    features.SetNumeric(item, year_column, static_cast<float>(year));
}

// u.item: id|title|release date|video release date|IMDb URL|19 genre flags
void ReadMovieLens100kItems(const DatasetSpec& spec, const std::filesystem::path& dir, IdInterner& items,
                            ItemFeatureBuilder& features, std::vector<std::string>& notes) {
  std::vector<std::string> genres(kMovieLens100kGenres.begin(), kMovieLens100kGenres.end());
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  std::error_code ec;
  if (std::filesystem::exists(dir / "u.genre", ec)) {
    const std::string text = Latin1ToUtf8(ReadWholeFile(dir / "u.genre", {}));
    RecordReader reader(text, "|", false);
    while (reader.Next(fields, line, problem)) {
      uint64_t index;
      if (fields.size() == 2 && ParseCanonicalId(fields[1], index) && index < genres.size()) {
        genres[index] = std::string(fields[0]);
      }
    }
  }
  const std::filesystem::path path = dir / "u.item";
  if (!std::filesystem::exists(path, ec)) {
    notes.push_back("no u.item in " + dir.string() + ": movies have no titles or genres");
    return;
  }
  const std::string text = Latin1ToUtf8(ReadWholeFile(path, {}));
  RecordReader reader(text, "|", false);
  BadLines bad(spec, path.string());
  const size_t year = features.NumericColumn("year");
  while (reader.Next(fields, line, problem)) {
    if (fields.size() != 5 + genres.size()) {
      bad.Report(line, "expected " + std::to_string(5 + genres.size()) +
                           " fields separated by '|' (id, title, " +
                           "dates, URL and 19 genre flags), found " + std::to_string(fields.size()) + ": " +
                           QuoteForMessage(reader.last_record()));
      continue;
    }
    if (fields[0].empty()) {
      bad.Report(line, "empty movie id");
      continue;
    }
    const uint32_t item = items.Intern(fields[0]);
    AddMovie(item, fields[1], features, year);
    for (size_t g = 0; g < genres.size(); ++g) {
      if (fields[5 + g] == "1") features.AddCategory(item, genres[g]);
    }
  }
  bad.AddNote(notes);
}

// movies.dat: MovieID::Title::Genres (titles may hold ':' but not "::")
void ReadMovieLens1mItems(const DatasetSpec& spec, const std::filesystem::path& path, IdInterner& items,
                          ItemFeatureBuilder& features, std::vector<std::string>& notes) {
  const std::string text = Latin1ToUtf8(ReadWholeFile(path, {}));
  RecordReader reader(text, "\n", false);  // whole lines; split by hand below
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  BadLines bad(spec, path.string());
  const size_t year = features.NumericColumn("year");
  while (reader.Next(fields, line, problem)) {
    const std::string_view record = reader.last_record();
    const size_t first = record.find("::");
    const size_t last = record.rfind("::");
    if (first == std::string_view::npos || first == last) {
      bad.Report(line, "expected MovieID::Title::Genres, found " + QuoteForMessage(record));
      continue;
    }
    const std::string_view id = TrimField(record.substr(0, first), false);
    if (id.empty()) {
      bad.Report(line, "empty movie id in " + QuoteForMessage(record));
      continue;
    }
    const uint32_t item = items.Intern(id);
    AddMovie(item, TrimField(record.substr(first + 2, last - first - 2), false), features, year);
    for (std::string_view genre : SplitList(record.substr(last + 2))) features.AddCategory(item, genre);
  }
  bad.AddNote(notes);
}

// movies.csv: movieId,title,genres with quoted titles; tags.csv:
// userId,movieId,tag,timestamp
void ReadMovieLensLatestItems(const DatasetSpec& spec, const std::filesystem::path& dir, IdInterner& items,
                              ItemFeatureBuilder& features, std::vector<std::string>& notes) {
  std::vector<std::string_view> fields;
  uint64_t line = 0;
  std::string problem;
  std::error_code ec;
  const std::filesystem::path movies = dir / "movies.csv";
  if (std::filesystem::exists(movies, ec)) {
    const std::string text = ReadWholeFile(movies, {});
    RecordReader reader(text, ",", true);
    BadLines bad(spec, movies.string());
    const size_t year = features.NumericColumn("year");
    reader.Next(fields, line, problem);  // header
    while (reader.Next(fields, line, problem)) {
      if (!problem.empty() || fields.size() != 3 || fields[0].empty()) {
        bad.Report(line, (problem.empty() ? "expected movieId,title,genres" : problem) + ", found " +
                             QuoteForMessage(reader.last_record()));
        continue;
      }
      const uint32_t item = items.Intern(fields[0]);
      AddMovie(item, fields[1], features, year);
      if (fields[2] == "(no genres listed)") continue;
      for (std::string_view genre : SplitList(fields[2])) features.AddCategory(item, genre);
    }
    bad.AddNote(notes);
  } else {
    notes.push_back("no movies.csv in " + dir.string() + ": movies have no titles or genres");
  }

  const std::filesystem::path tags = dir / "tags.csv";
  if (std::filesystem::exists(tags, ec)) {
    const std::string text = ReadWholeFile(tags, {});
    RecordReader reader(text, ",", true);
    BadLines bad(spec, tags.string());
    size_t applied = 0, unknown = 0;
    reader.Next(fields, line, problem);  // header
    while (reader.Next(fields, line, problem)) {
      if (!problem.empty() || fields.size() != 4) {
        bad.Report(line, (problem.empty() ? "expected userId,movieId,tag,timestamp" : problem) + ", found " +
                             QuoteForMessage(reader.last_record()));
        continue;
      }
      const auto item = items.Find(fields[1]);
      if (!item) {
        ++unknown;  // a tag on a movie that is neither rated nor listed
        continue;
      }
      if (fields[2].empty()) continue;
      features.AddTag(*item, fields[2]);
      ++applied;
    }
    bad.AddNote(notes);
    notes.push_back("tags.csv: " + std::to_string(applied) +
                    " tag applications become item tags (weight = count)" +
                    (unknown ? "; " + std::to_string(unknown) + " on unknown movies ignored" : ""));
  }
}

// u.data and ratings.dat: user, item, rating, timestamp, no header, no quoting.
InteractionFileFormat HeaderlessRatings(InteractionFileFormat f, const char* delimiter) {
  f.delimiter = delimiter;
  f.header = false;
  f.quoting = false;
  f.user_column = "0";
  f.item_column = "1";
  f.value_column = "2";
  f.timestamp_column = "3";
  return f;
}

}  // namespace

int TitleYear(std::string_view title) {
  title = TrimField(title, false);
  if (title.size() < 6 || title.back() != ')' || title[title.size() - 6] != '(') return 0;
  int year = 0;
  for (size_t i = title.size() - 5; i < title.size() - 1; ++i) {
    const unsigned d = static_cast<unsigned char>(title[i]) - '0';
    if (d > 9) return 0;
    year = year * 10 + static_cast<int>(d);
  }
  return year;
}

InteractionFileFormat MovieLensRatingsFormat(const DatasetSpec& spec, const std::filesystem::path& file,
                                             const SourceLocation& where) {
  InteractionFileFormat f = RatingsFormat(spec, file);
  f.where = where;
  if (spec.format == "movielens-100k") return HeaderlessRatings(f, "\t");
  if (spec.format == "movielens-1m") return HeaderlessRatings(f, "::");
  f.delimiter = ",";
  f.header = true;
  f.user_column = "userId";
  f.item_column = "movieId";
  f.value_column = "rating";
  f.timestamp_column = "timestamp";
  return f;
}

void ReadMovieLensMovies(const DatasetSpec& spec, IdInterner& items, ItemFeatureBuilder& features,
                         std::vector<std::string>& notes) {
  const std::filesystem::path dir = spec.interactions;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    throw Error(Where(spec, "interactions"), "dataset.interactions: '" + dir.string() +
                                                 "' is not a directory; with split.method = \"files\" it "
                                                 "names the MovieLens directory whose movies become item "
                                                 "features (leave it out for none)");
  }
  if (spec.format == "movielens-100k") {
    ReadMovieLens100kItems(spec, dir, items, features, notes);
  } else if (spec.format == "movielens-1m") {
    if (std::filesystem::exists(dir / "movies.dat", ec)) {
      ReadMovieLens1mItems(spec, dir / "movies.dat", items, features, notes);
    } else {
      notes.push_back("no movies.dat in " + dir.string() + ": movies have no titles or genres");
    }
  } else {
    ReadMovieLensLatestItems(spec, dir, items, features, notes);
  }
}

InteractionColumns ReadMovieLens(const DatasetSpec& spec, ItemFeatureBuilder& features,
                                 std::vector<std::string>& notes) {
  const std::filesystem::path dir = spec.interactions;
  if (spec.format == "movielens-100k") {
    InteractionColumns columns = ReadInteractions(
        HeaderlessRatings(RatingsFormat(spec, RequireFile(spec, "u.data", "u.data and u.item")), "\t"));
    ReadMovieLens100kItems(spec, dir, columns.item_ids, features, notes);
    return columns;
  }
  if (spec.format == "movielens-1m") {
    InteractionColumns columns = ReadInteractions(HeaderlessRatings(
        RatingsFormat(spec, RequireFile(spec, "ratings.dat", "ratings.dat and movies.dat")), "::"));
    std::error_code ec;
    if (std::filesystem::exists(dir / "movies.dat", ec)) {
      ReadMovieLens1mItems(spec, dir / "movies.dat", columns.item_ids, features, notes);
    } else {
      notes.push_back("no movies.dat in " + dir.string() + ": movies have no titles or genres");
    }
    return columns;
  }
  // movielens-latest, and the same layout of ml-20m / ml-25m / ml-32m
  InteractionFileFormat f =
      RatingsFormat(spec, RequireFile(spec, "ratings.csv", "ratings.csv and movies.csv"));
  f.delimiter = ",";
  f.header = true;
  f.user_column = "userId";
  f.item_column = "movieId";
  f.value_column = "rating";
  f.timestamp_column = "timestamp";
  InteractionColumns columns = ReadInteractions(f);
  ReadMovieLensLatestItems(spec, dir, columns.item_ids, features, notes);
  return columns;
}

}  // namespace reclift::host
