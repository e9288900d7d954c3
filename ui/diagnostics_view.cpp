#include "ui/diagnostics_view.hpp"

#include <algorithm>

#include "ui/view_format.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

void row(const char* name, const std::string& value) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  widgets::quiet_text(name);
  ImGui::TableNextColumn();
  ImGui::TextUnformatted(value.c_str());
}

}  // namespace

void DiagnosticsView::draw(const AppSnapshot& snapshot, double now_s) {
  widgets::heading("Network");
  if (ImGui::BeginTable("network", 2, ImGuiTableFlags_SizingFixedFit)) {
    row("State", network_state_line(snapshot));
    row("Role", snapshot.role == NodeRole::kSupernode ? "Supernode" : "Ordinary node");
    row("Listening port", std::to_string(snapshot.listen_port));
    row("NAT", snapshot.nat.empty() ? "not known yet" : snapshot.nat);
    row("Upstream", snapshot.upstream_kbps ? format_kbps(*snapshot.upstream_kbps) : "not measured yet");
    row("Secure sessions", std::to_string(snapshot.sessions));
    row("Datagrams received", std::to_string(snapshot.datagrams_received));
    row("Datagrams dropped", std::to_string(snapshot.datagrams_dropped));
    for (const auto& [reason, count] : snapshot.drops) row(("  dropped: " + reason).c_str(), std::to_string(count));
    ImGui::EndTable();
  }

  if (const auto& load = snapshot.supernode_load) {
    in_rate_.update(now_s, load->bytes_in);
    out_rate_.update(now_s, load->bytes_out);
    widgets::heading("Supernode load");
    if (ImGui::BeginTable("load", 2, ImGuiTableFlags_SizingFixedFit)) {
      row("Attached clients", std::to_string(load->attached_clients));
      row("Index records", std::to_string(load->index_records));
      row("Routing contacts", std::to_string(load->routing_contacts));
      row("Relay sessions", std::to_string(load->relay_sessions));
      row("Traffic in", format_bytes(load->bytes_in) + " (" + format_bytes(in_rate_.per_second()) + "/s)");
      row("Traffic out", format_bytes(load->bytes_out) + " (" + format_bytes(out_rate_.per_second()) + "/s)");
      ImGui::EndTable();
    }
  }

  widgets::heading("Log");
  if (widgets::text_field("Filter", filter_text_, "words to show; -word to hide")) {
    // ImGuiTextFilter does the matching ("a,b" either, "-c" not); our field edits it.
    const size_t n = std::min(filter_text_.size(), sizeof filter_.InputBuf - 1);
    filter_text_.copy(filter_.InputBuf, n);
    filter_.InputBuf[n] = '\0';
    filter_.Build();
  }
  ImGui::BeginChild("log lines", ImVec2(0, 0), true, ImGuiWindowFlags_HorizontalScrollbar);
  for (const std::string& line : snapshot.log)
    if (filter_.PassFilter(line.c_str())) ImGui::TextUnformatted(line.c_str());
  // Follow new lines while the reader is at the bottom already.
  if (snapshot.log.size() != shown_lines_ && ImGui::GetScrollY() >= ImGui::GetScrollMaxY() - 1.0f)
    ImGui::SetScrollHereY(1.0f);
  shown_lines_ = snapshot.log.size();
  ImGui::EndChild();
}

}  // namespace koe::ui
