// Runs a libFuzzer harness without libFuzzer (for gcc builds and ctest):
// every file under the directories or files given, then deterministic random
// inputs and single-byte mutations of the seeds. Exit 0 unless the harness crashes.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::vector<uint8_t>> load_seeds(int argc, char** argv) {
  std::vector<std::vector<uint8_t>> seeds;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(p)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(p)) {
      files.push_back(p);
    }
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  return seeds;
}

}  // namespace

int main(int argc, char** argv) {
  auto seeds = load_seeds(argc, argv);
  for (const auto& s : seeds) LLVMFuzzerTestOneInput(s.data(), s.size());

  std::mt19937_64 rng(12345);
  constexpr int kRandomInputs = 20000;
  for (int i = 0; i < kRandomInputs; ++i) {
    std::vector<uint8_t> buf;
    if (!seeds.empty() && (i % 2 == 0)) {
      buf = seeds[rng() % seeds.size()];
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips && !buf.empty(); ++f) buf[rng() % buf.size()] = static_cast<uint8_t>(rng());
      if (rng() % 4 == 0 && !buf.empty()) buf.resize(rng() % buf.size());
    } else {
      buf.resize(rng() % 512);
      for (auto& b : buf) b = static_cast<uint8_t>(rng());
    }
    LLVMFuzzerTestOneInput(buf.data(), buf.size());
  }
  std::printf("ran %zu seeds and %d generated inputs\n", seeds.size(), kRandomInputs);
  return 0;
}
