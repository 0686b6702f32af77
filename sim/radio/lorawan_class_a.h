// LoRaWAN class A as a list of radio phases (LoRaWAN L2 1.0.4 specification, section 3.3
// "Receive windows"; Regional Parameters RP002-1.0.3, EU863-870), and the EU868 duty-cycle
// limit (ETSI EN 300 220-2 sub-band g1, 1 %; RP002-1.0.3 section 2.1 / LoRaWAN 1.0.4
// section 7: per-band off-time after each transmission). Plain C++, no SystemC.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sim/core/units.h"
#include "sim/radio/lora_radio_params.h"

namespace ej::radio {

// LoRa radio power states, in the order the module attaches them to the power bus.
enum LoraState : std::size_t { kLoraSleep = 0, kLoraStandby, kLoraSynth, kLoraTx, kLoraRx };
constexpr std::size_t kLoraStateCount = 5;
// "sleep", "standby", "synth", "tx", "rx".
const char* loraStateName(std::size_t state);

// One step of a protocol exchange: the radio sits in STATE for DURATION.
struct Phase {
  std::string name;   // e.g. "tx", "rx1", "rx2_wait"
  std::size_t state;  // index into the radio's power states
  Time duration;
  bool transmit = false;  // counts as airtime (and towards the duty cycle)
};
using PhaseList = std::vector<Phase>;

Time totalDuration(const PhaseList& phases);
// The summed duration of the transmit phases.
Time airtimeOf(const PhaseList& phases);

// LoRaWAN frame sizes (LoRaWAN 1.0.4 section 4): MHDR 1 + FHDR 7 (no FOpts) + FPort 1 +
// MIC 4 = 13 bytes around the application payload; an empty ACK downlink has no FPort.
constexpr std::size_t kLorawanOverheadBytes = 13;
constexpr std::size_t kEmptyAckBytes = 12;
// Join-request: MHDR 1 + JoinEUI 8 + DevEUI 8 + DevNonce 2 + MIC 4 (section 6.2.2).
constexpr std::size_t kJoinRequestBytes = 23;
// Join-accept without CFList: MHDR 1 + JoinNonce 3 + NetID 3 + DevAddr 4 + DLSettings 1 +
// RxDelay 1 + MIC 4 (section 6.2.3).
constexpr std::size_t kJoinAcceptBytes = 17;

// The modulation of a downlink at SPREADING_FACTOR in the uplink's bandwidth: downlinks
// carry no payload CRC (LoRaWAN 1.0.4 section 4.1), explicit header, 8-symbol preamble.
LoraModulation downlinkModulation(const LoraRadioParams& params, int spreadingFactor,
                                  Frequency bandwidth);

// One class A exchange: wake up, transmit FRAME_BYTES, sleep until RX1 opens DELAY1 after
// the end of the transmission, listen, and unless a downlink of DOWNLINK_BYTES came in RX1,
// sleep until RX2 (DELAY2) and listen there. An empty window listens RX_TIMEOUT_SYMBOLS
// symbols (preamble detection); a received downlink keeps the receiver on for its time on
// air. The radio wakes WAKE_UP + SYNTH ahead of each window so that it listens from the
// window's start. Phase names start with PREFIX ("uplink", "join").
PhaseList classAExchange(const LoraRadioParams& params, std::size_t frameBytes, Time delay1,
                         Time delay2, std::optional<std::size_t> downlinkBytes,
                         const std::string& prefix);

// One transmission of an uplink carrying PAYLOAD_BYTES of application data. ACKED: a
// confirmed uplink's acknowledgement arrives in RX1.
PhaseList uplinkAttempt(const LoraRadioParams& params, std::size_t payloadBytes, bool acked);

// The OTAA join: join-request, join-accept received in RX1 after JOIN_ACCEPT_DELAY1.
PhaseList joinExchange(const LoraRadioParams& params);

// Duty-cycle limit of one sub-band: after a transmission of airtime T starting at t0 the
// band is closed until t0 + T / dutyCycle (off-time T (1/dc - 1) after its end), the rule
// LoRaWAN 1.0.4 section 7 and RP002-1.0.3 apply to meet ETSI EN 300 220-2.
class DutyCycleTracker {
 public:
  explicit DutyCycleTracker(Ratio dutyCycle) : m_dutyCycle(dutyCycle) {}
  // The earliest time a new transmission may start.
  Time nextAllowed() const { return m_nextAllowed; }
  bool allows(Time now) const { return now >= m_nextAllowed; }
  // A transmission of AIRTIME that started at START.
  void record(Time start, Time airtime);

 private:
  Ratio m_dutyCycle;
  Time m_nextAllowed = seconds(0);
};

}  // namespace ej::radio
