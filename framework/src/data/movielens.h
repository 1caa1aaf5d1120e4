// The MovieLens downloads (GroupLens), read from their own directory layout:
//   movielens-100k: u.data, u.item, u.genre (optional)
//   movielens-1m:   ratings.dat, movies.dat
//   movielens-latest (also ml-20m, ml-25m, ml-32m): ratings.csv, movies.csv,
//                   tags.csv (optional)
#pragma once

#include <string>
#include <vector>

#include "data/dataset.h"
#include "data/interaction_reader.h"
#include "data/item_features.h"

namespace reclift::host {

// Reads the ratings and the movies of spec.interactions (a directory) for
// spec.format. Movies become item features: genres -> categories, the title
// -> text, the year in the title -> numeric "year", and (latest) user tags
// -> tags weighted by how many times they were applied.
InteractionColumns ReadMovieLens(const DatasetSpec& spec, ItemFeatureBuilder& features,
                                 std::vector<std::string>& notes);

// The ratings layout of spec.format (u.data, ratings.dat or ratings.csv)
// applied to another file of that layout, such as MovieLens 100K's u1.base.
InteractionFileFormat MovieLensRatingsFormat(const DatasetSpec& spec, const std::filesystem::path& file,
                                             const SourceLocation& where);

// The movies of the directory spec.interactions (u.item, movies.dat or
// movies.csv and tags.csv) as item features; a missing file is a note.
void ReadMovieLensMovies(const DatasetSpec& spec, IdInterner& items, ItemFeatureBuilder& features,
                         std::vector<std::string>& notes);

// "Toy Story (1995)" -> 1995; 0 when the title does not end in a year.
int TitleYear(std::string_view title);

}  // namespace reclift::host
