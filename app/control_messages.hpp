// Control messages: what two nodes tell each other on ENet's reliable channel inside
// their secure session (contact requests, presence, call signalling, call liveness and
// receiver reports). They are sealed payloads, not datagrams of our own, so they carry
// no wire header: one type byte, then the body (docs/calls.md). Plain values and pure
// functions; any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "app/presence_state.hpp"
#include "app/settings.hpp"
#include "audio/loss_report.hpp"
#include "net/bytes.hpp"
#include "net/decode_result.hpp"
#include "net/identity.hpp"

namespace koe {

// Random 64-bit, chosen by the caller; names one call between two nodes.
using CallId = uint64_t;

// Largest control message we send or accept (the longest, a contact request, is 325).
inline constexpr size_t kMaxControlMessageSize = 512;
// UTF-8 bytes of a contact request's note ("Hi, it's Ana from the choir").
inline constexpr size_t kMaxContactRequestMessageBytes = 256;
// UTF-8 bytes of a display name sent with contact requests and responses: any name
// the settings accept can be sent.
inline constexpr size_t kMaxPeerDisplayNameBytes = kMaxDisplayNameBytes;

enum class ControlType : uint8_t {
  kContactRequest = 0x01,
  kContactResponse = 0x02,
  kPresenceUpdate = 0x03,
  kCallInvite = 0x10,
  kCallRinging = 0x11,
  kCallAccept = 0x12,
  kCallDecline = 0x13,
  kCallBusy = 0x14,
  kCallCancel = 0x15,
  kCallHangup = 0x16,
  kPing = 0x20,
  kPong = 0x21,
  kReceiverReport = 0x30,
  kIntroduce = 0x40,
  kIntroduction = 0x41,
};

// Name for logs ("call_invite", ...); "unknown" for values not listed above.
std::string_view control_type_name(ControlType type);

struct ContactRequest {
  static constexpr ControlType kType = ControlType::kContactRequest;
  std::string display_name;  // the requester's, at most kMaxPeerDisplayNameBytes
  std::string message;       // at most kMaxContactRequestMessageBytes
  friend bool operator==(const ContactRequest&, const ContactRequest&) = default;
};

struct ContactResponse {
  static constexpr ControlType kType = ControlType::kContactResponse;
  bool accepted = false;
  std::string display_name;  // the responder's
  friend bool operator==(const ContactResponse&, const ContactResponse&) = default;
};

struct PresenceUpdate {
  static constexpr ControlType kType = ControlType::kPresenceUpdate;
  PresenceState state = PresenceState::kOffline;
  friend bool operator==(const PresenceUpdate&, const PresenceUpdate&) = default;
};

// The call messages whose whole body is the call ID, one distinct type each.
template <ControlType T>
struct CallIdMessage {
  static constexpr ControlType kType = T;
  CallId call_id = 0;
  friend bool operator==(const CallIdMessage&, const CallIdMessage&) = default;
};
using CallInvite = CallIdMessage<ControlType::kCallInvite>;
using CallRinging = CallIdMessage<ControlType::kCallRinging>;
using CallAccept = CallIdMessage<ControlType::kCallAccept>;
using CallBusy = CallIdMessage<ControlType::kCallBusy>;
using CallCancel = CallIdMessage<ControlType::kCallCancel>;
using CallHangup = CallIdMessage<ControlType::kCallHangup>;

enum class DeclineReason : uint8_t {
  kDeclined = 0,      // the callee said no
  kNotAllowed = 1,    // the callee takes calls from contacts only (or blocked the caller)
  kDoNotDisturb = 2,  // the callee's presence is "do not disturb"
};
inline constexpr uint8_t kMaxDeclineReasonValue = 2;

struct CallDecline {
  static constexpr ControlType kType = ControlType::kCallDecline;
  CallId call_id = 0;
  DeclineReason reason = DeclineReason::kDeclined;
  friend bool operator==(const CallDecline&, const CallDecline&) = default;
};

// Liveness and round-trip time during a call: a Ping is answered by a Pong with the
// same call ID and sequence.
struct Ping {
  static constexpr ControlType kType = ControlType::kPing;
  CallId call_id = 0;
  uint32_t sequence = 0;
  friend bool operator==(const Ping&, const Ping&) = default;
};

struct Pong {
  static constexpr ControlType kType = ControlType::kPong;
  CallId call_id = 0;
  uint32_t sequence = 0;
  friend bool operator==(const Pong&, const Pong&) = default;
};

// What the receiver of a call's voice stream measured (for the sender's adaptation and
// its statistics): the interval's LossReport and running totals.
struct ReceiverReport {
  static constexpr ControlType kType = ControlType::kReceiverReport;
  CallId call_id = 0;
  LossReport report;
  uint32_t packets_received = 0;
  uint32_t packets_lost = 0;
  friend bool operator==(const ReceiverReport&, const ReceiverReport&) = default;
};

// NAT traversal through a supernode (docs/nat-traversal.md): a node asks its peer's
// supernode to pass a sealed introduction (app/introduction.hpp) on; the supernode
// hands it to the peer over their link, naming who sent it. It cannot read it.
struct Introduce {
  static constexpr ControlType kType = ControlType::kIntroduce;
  NodeId target;
  Bytes sealed;  // at most kMaxSealedIntroductionBytes
  friend bool operator==(const Introduce&, const Introduce&) = default;
};
struct IntroductionFrom {
  static constexpr ControlType kType = ControlType::kIntroduction;
  NodeId source;
  Bytes sealed;
  friend bool operator==(const IntroductionFrom&, const IntroductionFrom&) = default;
};
inline constexpr size_t kMaxSealedIntroductionBytes = 400;

using ControlMessage =
    std::variant<ContactRequest, ContactResponse, PresenceUpdate, CallInvite, CallRinging, CallAccept, CallDecline,
                 CallBusy, CallCancel, CallHangup, Ping, Pong, ReceiverReport, Introduce, IntroductionFrom>;

ControlType control_type(const ControlMessage& message);

// A control message a core wants delivered to the peer with this NodeId.
struct OutgoingControl {
  NodeId to;
  ControlMessage message;
};

// The payload bytes, or nullopt if a string field breaks its limit or is not wire text
// (well-formed UTF-8 without U+0000): exactly what the decoder would refuse.
std::optional<Bytes> encode_control_message(const ControlMessage& message);

// Checks, in this order: kOversized (> kMaxControlMessageSize), kTruncated (empty),
// kUnknownType, then the body: kTruncated, kOversized / kBadUtf8 for strings,
// kBadFieldValue for a flag, presence state or decline reason out of range,
// kTrailingBytes. Accepts exactly the bytes the encoder produces.
Decoded<ControlMessage> decode_control_message(ByteView payload);

}  // namespace koe
