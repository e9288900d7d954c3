// IncomingCallPopup: the modal that rings when someone calls: who, and Accept or
// Decline. The ringtone itself (assets/ringtone.wav) belongs to whoever owns the
// speaker: incoming_call_ringing() says when it should sound. UI thread only.
#pragma once

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"

namespace koe::ui {

// True while an incoming call rings here.
bool incoming_call_ringing(const AppSnapshot& snapshot);

class IncomingCallPopup {
 public:
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);
};

}  // namespace koe::ui
