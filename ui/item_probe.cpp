#include "ui/item_probe.hpp"

#include <imgui_internal.h>

namespace koe::ui {

void ItemProbe::attach() { ImGui::GetIO().UserData = this; }

void ItemProbe::detach() {
  if (ImGui::GetIO().UserData == this) ImGui::GetIO().UserData = nullptr;
}

ItemProbe* ItemProbe::current() {
  return ImGui::GetCurrentContext() ? static_cast<ItemProbe*>(ImGui::GetIO().UserData) : nullptr;
}

void ItemProbe::begin_frame() {
  items_.clear();
  text_.clear();
  resume();
}

void ItemProbe::end_frame() { pause(); }

void ItemProbe::pause() {
  if (!GImGui->LogEnabled) return;
  text_ += GImGui->LogBuffer.c_str();
  text_ += '\n';
  ImGui::LogFinish();
}

void ItemProbe::resume() {
  // ImGui's own logging captures every text it renders; depth 0 opens no tree nodes.
  if (!GImGui->LogEnabled) ImGui::LogToBuffer(0);
}

void ItemProbe::note(std::string_view label, bool enabled) {
  // "Call##koe1..." is known as "Call"; a hidden label "##Status" by its ID, "Status".
  const size_t hidden = label.find("##");
  if (hidden == 0) {
    label.remove_prefix(2);
  } else if (hidden != std::string_view::npos) {
    label = label.substr(0, hidden);
  }
  items_.push_back(Item{std::string(label), ImGui::GetItemRectMin(), ImGui::GetItemRectMax(), enabled});
}

const ItemProbe::Item* ItemProbe::find(std::string_view label) const {
  const Item* first = nullptr;
  for (const Item& item : items_) {
    if (item.label != label) continue;
    if (item.enabled) return &item;
    if (first == nullptr) first = &item;
  }
  return first;
}

bool ItemProbe::shows_text(std::string_view text) const { return text_.find(text) != std::string::npos; }

}  // namespace koe::ui
