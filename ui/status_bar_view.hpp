// StatusBarView: the strip atop the main view: who you are (name, ID with a copy
// button), your own status selector and the network state line.
// UI thread only; view-local state; pushes SetPresence.
#pragma once

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"

namespace koe::ui {

class StatusBarView {
 public:
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);

 private:
  bool copied_ = false;
};

}  // namespace koe::ui
