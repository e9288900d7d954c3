#include "ui/contacts_view.hpp"

#include <imgui.h>

#include "ui/view_format.hpp"
#include "ui/view_model.hpp"
#include "ui/widgets.hpp"

namespace koe::ui {

namespace {

constexpr ImGuiTableFlags kTableFlags = ImGuiTableFlags_RowBg | ImGuiTableFlags_PadOuterX;

// Starts a table of people: the name column stretches, the others fit their content.
bool begin_people_table(const char* id, int action_columns) {
  if (!ImGui::BeginTable(id, 2 + action_columns, kTableFlags)) return false;
  ImGui::TableSetupColumn("Name", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableSetupColumn("Status", ImGuiTableColumnFlags_WidthFixed);
  for (int i = 0; i < action_columns; ++i) ImGui::TableSetupColumn(nullptr, ImGuiTableColumnFlags_WidthFixed);
  return true;
}

void name_cell(const ContactView& c) {
  ImGui::TableNextRow();
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  widgets::presence_dot(c.presence);
  ImGui::TextUnformatted(person_label(c.display_name, c.user_id).c_str());
  widgets::tooltip(grouped_user_id(c.user_id));
}

void status_cell(std::string_view text) {
  ImGui::TableNextColumn();
  ImGui::AlignTextToFramePadding();
  widgets::quiet_text(text);
}

void draw_requests(const std::vector<ContactView>& requests, const CommandSink& sink) {
  if (requests.empty()) return;
  widgets::heading("Contact requests");
  if (!begin_people_table("requests", 3)) return;
  for (const ContactView& c : requests) {
    ImGui::PushID(c.user_id.c_str());
    name_cell(c);
    status_cell(c.message.empty() ? "wants to add you" : "\"" + c.message + "\"");
    ImGui::TableNextColumn();
    if (widgets::button("Accept", widgets::Tone::kGood)) sink(command::AcceptContact{c.user_id});
    ImGui::TableNextColumn();
    if (widgets::button("Decline")) sink(command::DeclineContact{c.user_id});
    ImGui::TableNextColumn();
    if (widgets::button("Block", widgets::Tone::kDanger)) sink(command::BlockContact{c.user_id});
    ImGui::PopID();
  }
  ImGui::EndTable();
}

void draw_contacts(const std::vector<ContactView>& contacts, bool in_call, const CommandSink& sink) {
  widgets::heading("Contacts");
  if (contacts.empty()) {
    widgets::quiet_text("No contacts yet. Find people in the Search tab by name or ID.");
    return;
  }
  if (!begin_people_table("contacts", 2)) return;
  for (const ContactView& c : contacts) {
    ImGui::PushID(c.user_id.c_str());
    name_cell(c);
    status_cell(presence_label(c.presence));
    ImGui::TableNextColumn();
    if (widgets::button("Call", widgets::Tone::kGood, !in_call)) sink(command::Call{c.user_id});
    ImGui::TableNextColumn();
    if (widgets::button("...")) ImGui::OpenPopup("contact menu");
    if (ImGui::BeginPopup("contact menu")) {
      if (widgets::selectable("Remove contact", false)) sink(command::RemoveContact{c.user_id});
      if (widgets::selectable("Block", false)) sink(command::BlockContact{c.user_id});
      widgets::end_popup();
    }
    ImGui::PopID();
  }
  ImGui::EndTable();
}

// Requests we sent, and blocked IDs: one action each that removes the entry.
void draw_removable(const char* title, const std::vector<ContactView>& people, std::string_view status,
                    const char* action, const CommandSink& sink) {
  if (people.empty()) return;
  widgets::heading(title);
  if (!begin_people_table(title, 1)) return;
  for (const ContactView& c : people) {
    ImGui::PushID(c.user_id.c_str());
    name_cell(c);
    status_cell(status);
    ImGui::TableNextColumn();
    if (widgets::button(action)) sink(command::RemoveContact{c.user_id});
    ImGui::PopID();
  }
  ImGui::EndTable();
}

}  // namespace

void ContactsView::draw(const AppSnapshot& snapshot, const CommandSink& sink) {
  const ContactGroups groups = group_contacts(snapshot.contacts);
  draw_requests(groups.requests_received, sink);
  draw_contacts(groups.contacts, snapshot.call.has_value(), sink);
  draw_removable("Waiting for an answer", groups.requests_sent, "request sent", "Withdraw", sink);
  draw_removable("Blocked", groups.blocked, "blocked", "Unblock", sink);
}

}  // namespace koe::ui
