// LoRaWAN class A phases and the duty-cycle tracker; see lorawan_class_a.h.
#include "sim/radio/lorawan_class_a.h"

#include <algorithm>

namespace ej::radio {

const char* loraStateName(std::size_t state) {
  static const char* const kNames[kLoraStateCount] = {"sleep", "standby", "synth", "tx", "rx"};
  return state < kLoraStateCount ? kNames[state] : "?";
}

Time totalDuration(const PhaseList& phases) {
  Time t = seconds(0);
  for (const auto& p : phases) t += p.duration;
  return t;
}

Time airtimeOf(const PhaseList& phases) {
  Time t = seconds(0);
  for (const auto& p : phases) {
    if (p.transmit) t += p.duration;
  }
  return t;
}

LoraModulation downlinkModulation(const LoraRadioParams& params, int spreadingFactor,
                                  Frequency bandwidth) {
  LoraModulation m = params.modulation;
  m.spreadingFactor = spreadingFactor;
  m.bandwidth = bandwidth;
  m.codingRateDenominator = 5;  // RP002-1.0.3: LoRaWAN frames use coding rate 4/5
  m.preambleSymbols = 8;        // RP002-1.0.3 EU868: 8-symbol preamble
  m.explicitHeader = true;
  m.crc = false;
  m.ldro = Ldro::Auto;
  return m;
}

namespace {

// Appends wake-up, synthesiser start and a listening window of LISTEN.
void appendWindow(PhaseList& out, const LoraRadioParams& p, const std::string& name, Time listen) {
  out.push_back({name + "_wakeup", kLoraStandby, p.wakeUpTime});
  out.push_back({name + "_startup", kLoraSynth, p.synthTime});
  out.push_back({name, kLoraRx, listen});
}

Time clampNonNegative(Time t) { return t < seconds(0) ? seconds(0) : t; }

}  // namespace

PhaseList classAExchange(const LoraRadioParams& p, std::size_t frameBytes, Time delay1, Time delay2,
                         std::optional<std::size_t> downlinkBytes, const std::string& prefix) {
  PhaseList out;
  const Time prep = p.wakeUpTime + p.synthTime;
  out.push_back({prefix + "_wakeup", kLoraStandby, p.wakeUpTime});
  out.push_back({prefix + "_startup", kLoraSynth, p.synthTime});
  out.push_back({prefix + "_tx", kLoraTx, timeOnAir(p.modulation, frameBytes).total, true});

  // RX1: the uplink's data rate (RX1DROffset 0, RP002-1.0.3 EU868 Table 5).
  const auto rx1Mod = downlinkModulation(p, p.modulation.spreadingFactor, p.modulation.bandwidth);
  const Time rx1Listen = downlinkBytes ? timeOnAir(rx1Mod, *downlinkBytes).total
                                       : static_cast<double>(p.rxTimeoutSymbols) *
                                             symbolTime(rx1Mod.spreadingFactor, rx1Mod.bandwidth);
  out.push_back({prefix + "_rx1_wait", kLoraSleep, clampNonNegative(delay1 - prep)});
  appendWindow(out, p, prefix + "_rx1", rx1Listen);
  if (downlinkBytes) return out;

  // RX2: DR0 = SF12 at 125 kHz (RP002-1.0.3 EU868 RX2 default).
  const Frequency rx2Bw = hertz(125e3);
  const Time rx2Listen =
      static_cast<double>(p.rxTimeoutSymbols) * symbolTime(p.rx2SpreadingFactor, rx2Bw);
  out.push_back(
      {prefix + "_rx2_wait", kLoraSleep, clampNonNegative(delay2 - delay1 - rx1Listen - prep)});
  appendWindow(out, p, prefix + "_rx2", rx2Listen);
  return out;
}

PhaseList uplinkAttempt(const LoraRadioParams& p, std::size_t payloadBytes, bool acked) {
  std::optional<std::size_t> downlink;
  if (p.confirmed && acked) downlink = p.ackBytes;
  return classAExchange(p, payloadBytes + kLorawanOverheadBytes, p.rx1Delay, p.rx2Delay, downlink,
                        "uplink");
}

PhaseList joinExchange(const LoraRadioParams& p) {
  return classAExchange(p, kJoinRequestBytes, p.joinAcceptDelay1, p.joinAcceptDelay2,
                        kJoinAcceptBytes, "join");
}

void DutyCycleTracker::record(Time start, Time airtime) {
  const Time end = start + airtime / m_dutyCycle.value();
  m_nextAllowed = std::max(m_nextAllowed, end);
}

}  // namespace ej::radio
