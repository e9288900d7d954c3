#include "ui/screenshot.hpp"

#define GLFW_INCLUDE_NONE
#include <GL/gl.h>
#include <stb_image_write.h>

#include <vector>

namespace koe::ui {

std::string save_screenshot_png(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) return "the window has no pixels";
  constexpr int kChannels = 4;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * static_cast<size_t>(height) * kChannels);
  glReadBuffer(GL_BACK);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  if (glGetError() != GL_NO_ERROR) return "glReadPixels failed";
  // OpenGL's rows run bottom-up; PNG's top-down.
  stbi_flip_vertically_on_write(1);
  if (stbi_write_png(path.c_str(), width, height, kChannels, pixels.data(), width * kChannels) == 0)
    return "cannot write " + path;
  return {};
}

}  // namespace koe::ui
