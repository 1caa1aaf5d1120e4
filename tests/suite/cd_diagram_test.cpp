// The CD diagram's groups on Demsar's (2006) example: at alpha 0.10 (CD 1.12)
// C4.5 differs from C4.5+m and from C4.5+m+cf; at 0.05 (CD 1.25) nothing
// does (section 3.2.4).
#include "suite/cd_diagram.h"

#include <catch2/catch.hpp>
#include <cmath>

using namespace reclift::host::suite;
using Catch::Matchers::Contains;

namespace {
// C4.5, C4.5+m, C4.5+cf, C4.5+m+cf
const std::vector<double> kPaperRanks = {44 / 14.0, 28 / 14.0, 40.5 / 14.0, 27.5 / 14.0};
}  // namespace

TEST_CASE("Nemenyi groups join arms closer than the critical difference", "[suite][stats]") {
  const double cd10 = 2.291 * std::sqrt(4 * 5 / (6.0 * 14));
  const double cd05 = 2.569 * std::sqrt(4 * 5 / (6.0 * 14));
  using Groups = std::vector<std::vector<size_t>>;
  CHECK(NemenyiGroups(kPaperRanks, cd10) == Groups{{3, 1, 2}, {2, 0}});
  CHECK(NemenyiGroups(kPaperRanks, cd05) == Groups{{3, 1, 2, 0}});
  CHECK(NemenyiGroups(kPaperRanks, 0.01).empty());  // all apart: no group of two
  CHECK(NemenyiGroups(kPaperRanks, NAN).empty());
}

TEST_CASE("the CD diagram is self-contained SVG with escaped names", "[suite]") {
  const std::string svg =
      CdDiagramSvg({"C4.5", "C4.5+m", "a<b>&\"c\"", "C4.5+m+cf"}, kPaperRanks, 1.12, "demo");
  CHECK_THAT(svg, Contains("<svg xmlns=\"http://www.w3.org/2000/svg\"") && Contains("CD = 1.120") &&
                      Contains("a&lt;b&gt;&amp;&quot;c&quot; (2.89)") && Contains("C4.5+m+cf (1.96)"));
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("href") == std::string::npos);
  // two group bars at alpha 0.10
  size_t bars = 0;
  for (size_t at = svg.find("cd-group"); at != std::string::npos; at = svg.find("cd-group", at + 1)) ++bars;
  CHECK(bars == 2);
  const std::string no_cd = CdDiagramSvg({"a", "b"}, {1.0, 2.0}, NAN, "demo");
  CHECK_THAT(no_cd, Contains("no critical difference"));
  CHECK(no_cd.find("cd-group") == std::string::npos);
}
