// HistoryView: the calls that ended, newest first: direction, who, when, how long,
// how it ended, and a call-back button. UI thread only; pushes Call.
#pragma once

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"

namespace koe::ui {

class HistoryView {
 public:
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);
};

}  // namespace koe::ui
