// The in-call quality panel: path, round-trip time, loss, jitter-buffer delay, bitrate
// and the MOS estimate in words, with small plots of the last minute.
// UI thread only; draws from a call's stats and its QualityHistory.
#pragma once

#include "app/call_stats.hpp"
#include "ui/view_model.hpp"

namespace koe::ui {

void draw_quality_panel(const CallStats& stats, const QualityHistory& history);

}  // namespace koe::ui
