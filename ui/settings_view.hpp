// SettingsView: the settings page: name, audio devices with a live microphone meter
// and an echo test call, voice processing switches, listening port, volunteering as
// a supernode, bootstrap supernodes; problems explained inline under each field.
// Saving is the app's job (atomically, off the UI thread): the view only asks.
// UI thread only; view-local state (the form being edited).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "app/app_snapshot.hpp"
#include "app/settings.hpp"
#include "ui/command_sink.hpp"
#include "ui/settings_form.hpp"

namespace koe::ui {

// Device names for the pickers, listed off the UI thread.
struct DeviceChoices {
  bool loading = false;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  std::string error;  // why the list is empty, when it is
};

// What the app tells the page.
struct SettingsPageContext {
  const Settings& saved;               // as in settings.json now
  const DeviceChoices& devices;
  bool saving = false;                 // a save is in flight
  std::string save_error;              // the last save failed, saying why
  bool restart_needed = false;         // saved network or audio settings are not in use yet
  std::string echo_service_id;         // the echo test service, when known
};

// What the page asks the app to do this frame.
struct SettingsRequests {
  std::optional<Settings> save;
  bool refresh_devices = false;
  bool restart_network = false;
};

class SettingsView {
 public:
  SettingsRequests draw(const AppSnapshot& snapshot, const CommandSink& sink, const SettingsPageContext& context);

 private:
  SettingsForm form_;
  std::optional<SettingsForm> loaded_;  // what form_ started from; equal: nothing edited
  std::string note_;                    // feedback from the echo test button
};

}  // namespace koe::ui
