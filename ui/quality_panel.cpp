#include "ui/quality_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

void figure(const char* name, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  widgets::quiet_text(name);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(value.c_str());
}

void plot(const char* label, const std::vector<float>& values, float floor_max, const char* unit) {
  const float top = std::max(floor_max, values.empty() ? 0.0f : *std::max_element(values.begin(), values.end()) * 1.2f);
  char overlay[48];
  std::snprintf(overlay, sizeof overlay, "%s  %.1f %s", label, values.empty() ? 0.0f : values.back(), unit);
  ImGui::PlotLines(label, values.data(), static_cast<int>(values.size()), 0, overlay, 0.0f, top,
                   ImVec2(-1, ImGui::GetFontSize() * 2.6f));
}

}  // namespace

void draw_quality_panel(const CallStats& stats, const QualityHistory& history) {
  widgets::heading("Call quality");
  const double mos = mos_estimate(stats);
  char mos_text[48];
  std::snprintf(mos_text, sizeof mos_text, "%s (MOS %.1f)", mos_words(mos).data(), mos);
  if (ImGui::BeginTable("quality", 2, ImGuiTableFlags_SizingFixedFit)) {
    figure("Quality", mos_text);
    figure("Path", std::string(path_label(stats.path)) + (stats.relay ? " via " + stats.relay->to_string() : ""));
    figure("Round trip", format_milliseconds(stats.rtt));
    figure("Loss", format_percent(network_loss_fraction(stats)) + " (after repair " +
                       format_percent(residual_loss_fraction(stats)) + ")");
    figure("Jitter buffer", format_milliseconds(stats.jitter_buffer_delay));
    figure("Bitrate", format_bitrate(stats.bitrate_bps));
    ImGui::EndTable();
  }
  ImGui::PushItemWidth(-ImGui::GetFontSize() * 0.5f);
  using Series = QualityHistory::Series;
  widgets::quiet_text("Last minute");
  plot("##rtt", history.values(Series::kRttMs), 100.0f, "ms round trip");
  plot("##loss", history.values(Series::kLossPercent), 5.0f, "% loss");
  plot("##mos", history.values(Series::kMos), 4.5f, "MOS");
  ImGui::PopItemWidth();
}

}  // namespace koe::ui
