// MainView: the app once signed in: the status bar, then either the call in progress
// or the tabs (Contacts, Search, History, Settings, Diagnostics), and the incoming
// call pop-up over everything. UI thread only; owns the views and their local state.
#pragma once

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"
#include "ui/contacts_view.hpp"
#include "ui/diagnostics_view.hpp"
#include "ui/history_view.hpp"
#include "ui/in_call_view.hpp"
#include "ui/incoming_call_popup.hpp"
#include "ui/search_view.hpp"
#include "ui/settings_view.hpp"
#include "ui/status_bar_view.hpp"

namespace koe::ui {

class MainView {
 public:
  // `now_s`: a monotonic clock in seconds. Returns what the settings page asked for.
  SettingsRequests draw(const AppSnapshot& snapshot, const CommandSink& sink, const SettingsPageContext& settings,
                        double now_s);

 private:
  StatusBarView status_;
  ContactsView contacts_;
  SearchView search_;
  HistoryView history_;
  SettingsView settings_;
  DiagnosticsView diagnostics_;
  InCallView call_;
  IncomingCallPopup incoming_;
};

}  // namespace koe::ui
