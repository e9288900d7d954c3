// DiagnosticsView: what the node is doing: network counters and drops, the supernode
// load when acting as one (attached clients, index records, traffic and its rate),
// and the recent log with a filter. UI thread only; view-local state (filter, rates).
#pragma once

#include <imgui.h>

#include <string>

#include "app/app_snapshot.hpp"
#include "ui/view_model.hpp"

namespace koe::ui {

class DiagnosticsView {
 public:
  // `now_s`: a monotonic clock in seconds, for traffic rates.
  void draw(const AppSnapshot& snapshot, double now_s);

 private:
  std::string filter_text_;
  ImGuiTextFilter filter_;
  RateMeter in_rate_;
  RateMeter out_rate_;
  size_t shown_lines_ = 0;  // to follow the log's tail when lines arrive
};

}  // namespace koe::ui
