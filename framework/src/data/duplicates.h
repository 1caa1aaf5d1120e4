// Repeated (user, item) pairs: merged by a policy chosen in the dataset spec.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "data/id_interner.h"
#include "data/line_map.h"

namespace reclift::host {

enum class DuplicatePolicy {
  kLast,   // keep the latest (largest timestamp; ties: later in the file)
  kFirst,  // keep the earliest (smallest timestamp; ties: earlier in the file)
  kSum,    // one interaction where "last" would keep it, value = sum of all
  kMax,    // one interaction where "last" would keep it, value = max of all
  kError,  // stop with both line numbers
};

std::optional<DuplicatePolicy> ParseDuplicatePolicy(std::string_view name);
// "last", "first", "sum", "max", "error"
const std::vector<std::string>& DuplicatePolicyNames();

// The arrays of one dataset, merged in place: what remains keeps file order.
struct InteractionArrays {
  std::vector<uint32_t>& users;
  std::vector<uint32_t>& items;
  std::vector<float>& values;
  std::vector<int64_t>& timestamps;  // may be empty
};

// For messages about a duplicate under kError.
struct DuplicateContext {
  const std::string& file;
  const LineMap& lines;
  const IdInterner& user_ids;
  const IdInterner& item_ids;
};

// Applies `policy` and returns the number of rows removed. Under kError,
// throws Error at the second occurrence (the earliest in the file) naming
// the line of the first. The result does not depend on the thread count.
size_t MergeDuplicates(DuplicatePolicy policy, uint32_t num_users, uint32_t num_items, InteractionArrays data,
                       const DuplicateContext& context);

}  // namespace reclift::host
