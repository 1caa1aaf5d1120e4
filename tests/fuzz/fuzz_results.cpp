// results.json as `reclift report` and `reclift compare` read it: parsed,
// then rendered in every format and compared with itself and with the
// bundled valid document. The renderers check the schema version and must
// turn a wrong shape into an error, never read past what is there.
#include <cstdint>
#include <nlohmann/json.hpp>

#include "report/compare.h"
#include "report/html.h"
#include "report/render.h"
#include "util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  nlohmann::json results;
  try {
    results = nlohmann::json::parse(data, data + size);
  } catch (const nlohmann::json::exception&) {
    // parse_error, or out_of_range for a number beyond double's range:
    // `reclift report` says "<file>: not valid JSON: ..." for both
    return 0;
  }
  auto guarded = [](auto&& render) {
    try {
      render();
    } catch (const reclift::host::Error&) {
    } catch (const nlohmann::json::exception&) {
      // a document of the right schema version but the wrong shape:
      // reported by `reclift` as "error: [json.exception...] ..."
    }
  };
  using namespace reclift::host;
  guarded([&] { RenderMarkdown(results); });
  guarded([&] { RenderHtml(results); });
  guarded([&] { RenderLatex(results); });
  guarded([&] { RenderAggregateCsv(results); });
  guarded([&] { RenderPerUserCsv(results); });
  guarded([&] { RenderScenarioCsvs(results); });
  guarded([&] { RenderComparisonMarkdown(results, results); });
  guarded([&] { RenderComparisonHtml(results, results); });
  return 0;
}
