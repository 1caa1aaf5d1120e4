// Small text helpers shared by the host.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace reclift::host {

// Levenshtein edit distance.
size_t EditDistance(std::string_view a, std::string_view b);

// " (did you mean 'factors'?)" for the closest candidate within a small
// distance, or "" when nothing is close.
std::string DidYouMean(std::string_view word, std::span<const std::string> candidates);

// Joins with a separator: Join({"a","b"}, ", ") == "a, b".
std::string Join(std::span<const std::string> parts, std::string_view sep);

}  // namespace reclift::host
