// LoRa time on air from the modulation parameters (Semtech SX1276/77/78/79 datasheet rev. 7,
// section 4.1.1.7 "Time on air"; AN1200.13 "LoRa Modem Designer's Guide"; SX1261/2
// datasheet rev. 2.1, section 6.1.4 for the SX126x SF5/SF6 variant). Plain C++, no SystemC.
#pragma once

#include <cstddef>
#include <string>

#include "sim/core/units.h"

namespace ej::radio {

// Low-data-rate optimisation: Auto turns it on when the symbol time is 16 ms or more
// (SX1276 datasheet, RegModemConfig3 LowDataRateOptimize: "mandated for when the symbol
// length exceeds 16 ms"); On/Off force it.
enum class Ldro { Auto, On, Off };

// Which chip family's formula: they agree for SF7-SF12; for SF5/SF6 the SX126x adds two
// preamble symbols (6.25 instead of 4.25) and drops the 8-bit term of the numerator.
enum class LoraFamily { Sx127x, Sx126x };

// The parameters of one LoRa packet that set its duration.
struct LoraModulation {
  int spreadingFactor = 7;                 // SF, chips per symbol = 2^SF
  Frequency bandwidth = hertz(125e3);      // signal bandwidth
  int codingRateDenominator = 5;           // coding rate 4/5..4/8 given as 5..8
  int preambleSymbols = 8;                 // programmed preamble length (symbols)
  bool explicitHeader = true;              // false: implicit header mode
  bool crc = true;                         // payload CRC on
  Ldro ldro = Ldro::Auto;                  // low-data-rate optimisation
  LoraFamily family = LoraFamily::Sx127x;  // formula variant for SF5/SF6
};

// The figures of Semtech's LoRa calculator for one packet.
struct LoraAirtime {
  Time symbolTime;           // T_sym = 2^SF / BW
  double preambleSymbols;    // programmed preamble + 4.25 (6.25 for SX126x SF5/6)
  Time preambleTime;         // preambleSymbols * T_sym
  int payloadSymbols;        // payloadSymbNb, header and CRC included
  Time payloadTime;          // payloadSymbols * T_sym
  Time total;                // preambleTime + payloadTime
  bool lowDataRateOptimize;  // whether DE = 1 was used
};

// Symbol time 2^SF / BW.
Time symbolTime(int spreadingFactor, Frequency bandwidth);

// Whether the low-data-rate optimisation applies to MOD.
bool lowDataRateOptimize(const LoraModulation& mod);

// The time on air of a packet of PAYLOAD_BYTES (the PHY payload) with MOD. Throws
// std::invalid_argument when SF (5..12), coding rate (5..8), preamble (>= 0 symbols) or
// bandwidth (> 0) are out of the formula's domain; whether a given chip supports the
// combination is the radio parameters' business (LoraRadioParams).
LoraAirtime timeOnAir(const LoraModulation& mod, std::size_t payloadBytes);

// "4/5" for a denominator of 5.
std::string codingRateText(int denominator);

}  // namespace ej::radio
