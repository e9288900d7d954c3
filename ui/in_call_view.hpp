// InCallView: the call in progress, in place of the tabs: an outgoing call ringing (with
// Cancel); a connected call's timer, mute, hang up, level meters, the peer's volume and
// the quality panel. UI thread only; view-local state (volume, quality history); pushes
// HangUp, SetMuted and SetPeerVolume.
#pragma once

#include <optional>

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"
#include "ui/view_model.hpp"

namespace koe::ui {

class InCallView {
 public:
  // `snapshot.call` must be set.
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);

 private:
  std::optional<CallId> call_;
  float volume_ = 1.0f;
  QualityHistory history_;
};

}  // namespace koe::ui
