// SearchView: find people by name or ID. Results come in through the snapshot as the
// node verifies them; each has "Add contact" (with a short note) and "Call". A
// mistyped ID is caught by its checksum before any search. UI thread only; pushes
// Search, AddContact and Call.
#pragma once

#include <string>

#include "app/app_snapshot.hpp"
#include "ui/command_sink.hpp"

namespace koe::ui {

class SearchView {
 public:
  void draw(const AppSnapshot& snapshot, const CommandSink& sink);

 private:
  std::string query_;
  std::string problem_;  // why the typed ID is not one
  std::string note_ = "Hi! Please add me to your contacts.";
};

}  // namespace koe::ui
