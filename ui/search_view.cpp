#include "ui/search_view.hpp"

#include <imgui.h>

#include <algorithm>

#include "ui/view_format.hpp"
#include "ui/view_model.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

// "Add contact", or what stands in its place when the person is already listed.
void contact_action(const AppSnapshot& snapshot, const SearchHit& hit, const std::string& note, const CommandSink& sink) {
  if (hit.user_id == snapshot.user_id) {
    widgets::quiet_text("This is you");
    return;
  }
  if (const ContactView* known = find_contact(snapshot.contacts, hit.user_id)) {
    widgets::quiet_text(known->state == ContactState::kAccepted      ? "In your contacts"
                        : known->state == ContactState::kRequestSent ? "Request sent"
                        : known->state == ContactState::kBlocked     ? "Blocked"
                                                                     : "Wants to add you");
  } else if (widgets::button("Add contact", widgets::Tone::kPrimary)) {
    sink(command::AddContact{hit.user_id, note});
  }
  ImGui::SameLine();
  if (widgets::button("Call", widgets::Tone::kGood, !snapshot.call)) sink(command::Call{hit.user_id});
}

void hit_row(const AppSnapshot& snapshot, const SearchHit& hit, const std::string& note, const CommandSink& sink) {
  ImGui::PushID(hit.user_id.c_str());
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(person_label(hit.display_name, hit.user_id).c_str());
  ImGui::TableNextColumn();
  widgets::quiet_text(grouped_user_id(hit.user_id));
  ImGui::TableNextColumn();
  contact_action(snapshot, hit, note, sink);
  ImGui::PopID();
}

}  // namespace

void SearchView::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  widgets::heading("Find people");
  const bool submitted = widgets::text_field("Name or ID", query_, "a name, or an ID starting with koe1", problem_,
                                             ImGuiInputTextFlags_EnterReturnsTrue);
  if (widgets::button("Find", widgets::Tone::kPrimary, !query_.empty()) || submitted) {
    const SearchQuery query = classify_search(query_);
    problem_ = query.error;
    if (query.kind == SearchQuery::Kind::kName || query.kind == SearchQuery::Kind::kUserId)
      sink(command::Search{query.text});
  }
  widgets::text_field("Note with a contact request", note_);

  const SearchQuery typed = classify_search(query_);
  const auto& search = snapshot.search;
  if (search.query.empty()) return;
  ImGui::Spacing();
  if (!search.error.empty()) {
    widgets::problem_text("The search for \"" + search.query + "\" failed: " + call_end_words(search.error));
  } else if (!search.done) {
    widgets::quiet_text("Searching for \"" + search.query + "\"...");
  } else if (search.hits.empty()) {
    widgets::quiet_text("Nobody found for \"" + search.query + "\".");
  } else {
    widgets::quiet_text(std::to_string(search.hits.size()) + " found for \"" + search.query + "\" (verified)");
  }
  std::vector<SearchHit> rows = search.hits;
  // A whole ID needs no directory: offer it even before (or without) a search hit.
  if (typed.kind == SearchQuery::Kind::kUserId && typed.text == search.query &&
      std::none_of(rows.begin(), rows.end(), [&](const SearchHit& h) { return h.user_id == typed.text; }))
    rows.push_back(SearchHit{typed.text, ""});
  if (rows.empty() || !ImGui::BeginTable("hits", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_PadOuterX)) return;
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("ID", ImGuiTableColumnFlags_WidthFixed);
  ImGui::TableSetupColumn("", ImGuiTableColumnFlags_WidthFixed);
  for (const SearchHit& hit : rows) hit_row(snapshot, hit, note_, sink);
  ImGui::EndTable();
}

}  // namespace koe::ui
