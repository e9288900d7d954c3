#include "ui/fonts.hpp"

#include <imgui.h>

#include <filesystem>

namespace koe::ui {

namespace {

constexpr float kFontPixels = 17.0f;

// Debian's paths for fonts-noto-cjk; index 0 of the collection is the Japanese face.
constexpr const char* kCjkFonts[] = {
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKjp-Regular.otf",
};

// Japanese (kana, CJK ideographs in common use, full-width forms) plus the general
// punctuation, arrows and shapes that names and our own text use.
const ImWchar* glyph_ranges() {
  static ImVector<ImWchar> ranges;  // the atlas reads it while building
  if (ranges.empty()) {
    static constexpr ImWchar kExtra[] = {0x2000, 0x206F, 0x2190, 0x21FF, 0x25A0, 0x25FF, 0};
    ImFontGlyphRangesBuilder builder;
    builder.AddRanges(ImGui::GetIO().Fonts->GetGlyphRangesJapanese());
    builder.AddRanges(kExtra);
    builder.BuildRanges(&ranges);
  }
  return ranges.Data;
}

}  // namespace

std::string load_fonts(float scale) {
  ImFontAtlas& atlas = *ImGui::GetIO().Fonts;
  atlas.Clear();
  std::string note;
  for (const char* path : kCjkFonts) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) continue;
    ImFontConfig config;
    config.FontNo = 0;
    config.OversampleH = 1;  // CJK glyphs are many; 1x keeps the atlas small and sharp enough
    if (atlas.AddFontFromFileTTF(path, kFontPixels * scale, &config, glyph_ranges()) != nullptr) {
      note = std::string("font: ") + path;
      break;
    }
  }
  if (note.empty()) {
    ImFontConfig config;
    config.SizePixels = 13.0f * scale;
    atlas.AddFontDefault(&config);
    note = "font: Dear ImGui's built-in (install fonts-noto-cjk to show Japanese names)";
  }
  atlas.Build();
  atlas.ClearInputData();  // the font file's bytes (20 MB for Noto CJK) are not needed after building
  return note;
}

}  // namespace koe::ui
