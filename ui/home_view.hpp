// HomeView: the main window's content: who you are and the network state.
// UI thread only; holds view-local state, draws from a snapshot.
#pragma once

#include "app/app_snapshot.hpp"

namespace koe::ui {

class HomeView {
 public:
  void draw(const AppSnapshot& snapshot);

 private:
  bool copied_ = false;  // "Copied" feedback after the copy button
};

}  // namespace koe::ui
