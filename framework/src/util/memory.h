// Process memory figures for the cost table of a run (Linux /proc).
#pragma once

#include <cstddef>

namespace reclift::host {

// Peak resident set size of the process so far (VmHWM), in bytes; 0 if unknown.
size_t PeakRssBytes();
// Current resident set size (VmRSS), in bytes; 0 if unknown.
size_t CurrentRssBytes();
// Resets the peak to the current size (writes 5 to /proc/self/clear_refs), so
// that the next PeakRssBytes() measures one phase. Returns false when the
// kernel does not allow it (the peak then stays process-wide).
bool ResetPeakRss();

}  // namespace reclift::host
