// ContactsView: the people list: contact requests to answer (accept, decline, block),
// contacts with presence and a call button (online first, then by name), requests
// still waiting for an answer, and blocked IDs. UI thread only; pushes contact and
// call commands.
#pragma once

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"

namespace koe::ui {

class ContactsView {
 public:
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);
};

}  // namespace koe::ui
