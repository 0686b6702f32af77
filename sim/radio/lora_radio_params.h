// Parameters of a LoRa radio running LoRaWAN class A: the chip's currents and timings from
// its hw/radio/*.yaml part file, the scenario's modulation and MAC settings on top.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/core/config.h"
#include "sim/radio/lora_airtime.h"

namespace ej::radio {

// One power amplifier of the chip: the output range it can give and its supply current at
// the datasheet's output powers.
struct PowerAmplifier {
  struct Point {
    double power_dBm;  // RF output power
    Current current;   // chip supply current while transmitting at that power
  };
  std::string name;           // e.g. rfo_hf, pa_boost, hp
  double minPower_dBm = 0;    // lowest programmable output power
  double maxPower_dBm = 0;    // highest programmable output power
  std::vector<Point> points;  // datasheet figures, ascending power

  // Supply current at POWER_dBm: linear in dBm between the datasheet points, continued
  // along the last segment above them, the lowest point's current below them.
  Current currentAt(double power_dBm) const;
};

// What a report does when the EU868 duty cycle would be broken by sending it now.
enum class DutyCyclePolicy { Wait, Drop };

// EU868 data rates DR0..DR6 (LoRaWAN Regional Parameters RP002-1.0.3, Table 4).
struct Eu868DataRate {
  int dataRate;  // DRx
  int spreadingFactor;
  double bandwidth_kHz;
  std::size_t maxApplicationPayload;  // N, not repeater compatible (RP002-1.0.3 Table 6)
};
const std::vector<Eu868DataRate>& eu868DataRates();

struct LoraRadioParams {
  // --- the chip (part file) ---
  std::string part;                        // the part's name
  LoraFamily family = LoraFamily::Sx127x;  // formula variant and SF range
  int minSpreadingFactor = 6;              // lowest SF the chip supports
  int maxSpreadingFactor = 12;             // highest SF the chip supports
  std::vector<double> bandwidths_Hz;       // signal bandwidths the chip supports
  Current sleepCurrent;                    // sleep, configuration retained
  Current standbyCurrent;                  // standby, crystal oscillator running
  Current synthCurrent;                    // frequency synthesiser on (FSTX/FSRX)
  Current rxCurrent;                       // LoRa receive, 125 kHz
  Time wakeUpTime;                         // sleep -> standby (oscillator start)
  Time synthTime;                          // standby -> TX/RX (PLL lock)
  std::vector<PowerAmplifier> amplifiers;  // the chip's PAs

  // --- the scenario ---
  LoraModulation modulation;      // uplink modulation (SF, BW, CR, preamble...)
  double txPower_dBm = 14;        // configured RF output power
  std::string amplifier;          // the PA used (chosen when not configured)
  Current txCurrent;              // supply current at txPower_dBm on that PA
  bool confirmed = false;         // confirmed uplinks (acknowledged by the server)
  int maxRetries = 7;             // retransmissions of an unacknowledged uplink
  double ackLoss = 0;             // probability that an attempt gets no ACK
  std::uint64_t seed = 1;         // random stream for ack losses
  bool otaaJoin = true;           // OTAA join exchange at start-up (else ABP)
  Ratio dutyCycle = ratio(0.01);  // sub-band duty-cycle limit (EU868 g1: 1 %)
  DutyCyclePolicy dutyCyclePolicy = DutyCyclePolicy::Wait;
  Time rx1Delay = seconds(1);             // RECEIVE_DELAY1 (RP002-1.0.3 Table 17)
  Time rx2Delay = seconds(2);             // RECEIVE_DELAY2
  Time joinAcceptDelay1 = seconds(5);     // JOIN_ACCEPT_DELAY1
  Time joinAcceptDelay2 = seconds(6);     // JOIN_ACCEPT_DELAY2
  Time ackTimeout = seconds(2);           // ACK_TIMEOUT, centre of its 1..3 s range
  int rx2SpreadingFactor = 12;            // RX2 default data rate DR0 = SF12/125 kHz
  int rxTimeoutSymbols = 8;               // listening time of an empty window, in symbols
  std::size_t ackBytes = 12;              // PHY payload of an empty ACK downlink
  int eu868DataRate = -1;                 // the uplink's DRx, -1 when not an EU868 rate
  std::size_t maxApplicationPayload = 0;  // N of that data rate

  // Reads the chip from the layered part file and the scenario keys; throws
  // core::ConfigError at the offending key (unsupported SF/BW, a TX power no PA gives).
  static LoraRadioParams fromConfig(const core::Config& cfg);
};

}  // namespace ej::radio
