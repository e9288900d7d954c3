#include "app/control_messages.hpp"

#include <type_traits>
#include <utility>

#include "net/byte_reader.hpp"
#include "net/byte_writer.hpp"

namespace koe {

namespace {

// --- bodies: one write and one read per message type -------------------------------

template <ControlType T>
void write_body(ByteWriter& w, const CallIdMessage<T>& m) {
  w.u64(m.call_id);
}
template <ControlType T>
void read_body(ByteReader& r, CallIdMessage<T>& m) {
  m.call_id = r.u64();
}

void write_body(ByteWriter& w, const ContactRequest& m) {
  w.utf8_string(m.display_name, kMaxPeerDisplayNameBytes);
  w.utf8_string(m.message, kMaxContactRequestMessageBytes);
}
void read_body(ByteReader& r, ContactRequest& m) {
  m.display_name = r.utf8_string(kMaxPeerDisplayNameBytes);
  m.message = r.utf8_string(kMaxContactRequestMessageBytes);
}

void write_body(ByteWriter& w, const ContactResponse& m) {
  w.u8(m.accepted ? 1 : 0);
  w.utf8_string(m.display_name, kMaxPeerDisplayNameBytes);
}
void read_body(ByteReader& r, ContactResponse& m) {
  const uint8_t accepted = r.u8();
  if (accepted > 1) r.fail(DecodeError::kBadFieldValue);  // canonical: one encoding per value
  m.accepted = accepted == 1;
  m.display_name = r.utf8_string(kMaxPeerDisplayNameBytes);
}

void write_body(ByteWriter& w, const PresenceUpdate& m) { w.u8(static_cast<uint8_t>(m.state)); }
void read_body(ByteReader& r, PresenceUpdate& m) {
  const uint8_t state = r.u8();
  if (state > kMaxPresenceStateValue) r.fail(DecodeError::kBadFieldValue);
  m.state = static_cast<PresenceState>(state);
}

void write_body(ByteWriter& w, const CallDecline& m) {
  w.u64(m.call_id);
  w.u8(static_cast<uint8_t>(m.reason));
}
void read_body(ByteReader& r, CallDecline& m) {
  m.call_id = r.u64();
  const uint8_t reason = r.u8();
  if (reason > kMaxDeclineReasonValue) r.fail(DecodeError::kBadFieldValue);
  m.reason = static_cast<DeclineReason>(reason);
}

template <class M>
requires std::is_same_v<M, Ping> || std::is_same_v<M, Pong>
void write_body(ByteWriter& w, const M& m) {
  w.u64(m.call_id);
  w.u32(m.sequence);
}
template <class M>
requires std::is_same_v<M, Ping> || std::is_same_v<M, Pong>
void read_body(ByteReader& r, M& m) {
  m.call_id = r.u64();
  m.sequence = r.u32();
}

void write_body(ByteWriter& w, const ReceiverReport& m) {
  w.u64(m.call_id);
  write_loss_report(w, m.report);
  w.u32(m.packets_received);
  w.u32(m.packets_lost);
}
void read_body(ByteReader& r, ReceiverReport& m) {
  m.call_id = r.u64();
  m.report = read_loss_report(r);
  m.packets_received = r.u32();
  m.packets_lost = r.u32();
}

template <class M>
requires std::is_same_v<M, Introduce> || std::is_same_v<M, IntroductionFrom>
void write_body(ByteWriter& w, const M& m) {
  if constexpr (std::is_same_v<M, Introduce>) w.bytes(m.target.bytes);
  else w.bytes(m.source.bytes);
  w.byte_string(m.sealed, kMaxSealedIntroductionBytes);
}
template <class M>
requires std::is_same_v<M, Introduce> || std::is_same_v<M, IntroductionFrom>
void read_body(ByteReader& r, M& m) {
  const NodeId id{r.array<kNodeIdSize>()};
  if constexpr (std::is_same_v<M, Introduce>) m.target = id;
  else m.source = id;
  const ByteView sealed = r.byte_string(kMaxSealedIntroductionBytes);
  m.sealed.assign(sealed.begin(), sealed.end());
}

// --- dispatch on the type byte over the variant's alternatives ----------------------

template <size_t... I>
std::optional<Decoded<ControlMessage>> decode_body(uint8_t type, ByteReader& reader, std::index_sequence<I...>) {
  std::optional<Decoded<ControlMessage>> result;
  const auto try_alternative = [&]<size_t K>(std::integral_constant<size_t, K>) {
    using M = std::variant_alternative_t<K, ControlMessage>;
    if (type != static_cast<uint8_t>(M::kType)) return false;
    M message;
    read_body(reader, message);
    result.emplace(reader.finish(ControlMessage{std::move(message)}));
    return true;
  };
  (try_alternative(std::integral_constant<size_t, I>{}) || ...);
  return result;
}

}  // namespace

std::string_view control_type_name(ControlType type) {
  switch (type) {
    case ControlType::kContactRequest:
      return "contact_request";
    case ControlType::kContactResponse:
      return "contact_response";
    case ControlType::kPresenceUpdate:
      return "presence_update";
    case ControlType::kCallInvite:
      return "call_invite";
    case ControlType::kCallRinging:
      return "call_ringing";
    case ControlType::kCallAccept:
      return "call_accept";
    case ControlType::kCallDecline:
      return "call_decline";
    case ControlType::kCallBusy:
      return "call_busy";
    case ControlType::kCallCancel:
      return "call_cancel";
    case ControlType::kCallHangup:
      return "call_hangup";
    case ControlType::kPing:
      return "ping";
    case ControlType::kPong:
      return "pong";
    case ControlType::kReceiverReport:
      return "receiver_report";
    case ControlType::kIntroduce:
      return "introduce";
    case ControlType::kIntroduction:
      return "introduction";
  }
  return "unknown";
}

ControlType control_type(const ControlMessage& message) {
  return std::visit([](const auto& m) { return std::decay_t<decltype(m)>::kType; }, message);
}

std::optional<Bytes> encode_control_message(const ControlMessage& message) {
  ByteWriter writer(kMaxControlMessageSize);
  writer.u8(static_cast<uint8_t>(control_type(message)));
  std::visit([&](const auto& m) { write_body(writer, m); }, message);
  return std::move(writer).finish();
}

Decoded<ControlMessage> decode_control_message(ByteView payload) {
  if (payload.size() > kMaxControlMessageSize) return DecodeError::kOversized;
  ByteReader reader(payload);
  const uint8_t type = reader.u8();
  if (reader.failed()) return reader.error();
  auto decoded = decode_body(type, reader, std::make_index_sequence<std::variant_size_v<ControlMessage>>{});
  if (!decoded) return DecodeError::kUnknownType;
  return std::move(*decoded);
}

}  // namespace koe
