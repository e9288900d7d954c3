#include "audio/echo_canceller.hpp"

#include "audio/echo_canceller_speex.hpp"
#include "audio/echo_canceller_webrtc.hpp"

namespace koe {

std::string_view echo_canceller_name(EchoCancellerKind kind) {
  switch (kind) {
    case EchoCancellerKind::kSpeex:
      return "speex";
    case EchoCancellerKind::kWebrtc:
      return "webrtc";
  }
  return "unknown";
}

std::optional<EchoCancellerKind> parse_echo_canceller_kind(std::string_view name) {
  for (auto kind : {EchoCancellerKind::kSpeex, EchoCancellerKind::kWebrtc})
    if (echo_canceller_name(kind) == name) return kind;
  return std::nullopt;
}

std::unique_ptr<EchoCanceller> make_echo_canceller(EchoCancellerKind kind, int rate) {
  if (kind == EchoCancellerKind::kSpeex)
    return std::make_unique<SpeexEchoCanceller>(SpeexEchoCanceller::kDefaultTail, true, rate);
  return std::make_unique<WebrtcEchoCanceller>(WebrtcEchoCanceller::Suppression::kModerate, rate);
}

}  // namespace koe
