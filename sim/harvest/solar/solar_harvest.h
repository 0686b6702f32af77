// The whole solar harvest chain for one node, in plain C++: site and weather -> plane of
// array -> panel -> charger -> current into the battery. The SystemC harvester calls it.
#pragma once

#include "sim/core/config.h"
#include "sim/harvest/solar/charger.h"
#include "sim/harvest/solar/panel.h"
#include "sim/harvest/solar/weather.h"

namespace ej::solar {

struct SolarHarvestParams {
  Site site;
  WeatherParams weather;
  PanelOrientation mount;
  PanelParams panel;
  ChargerParams charger;
  Ratio panelCount = ratio(1);  // identical panels in parallel

  // Keys: site {latitude, longitude}, weather {...}, panel {part or keys, see PanelParams},
  // mount {tilt, azimuth, albedo}, charger {...}, panels (count, default 1).
  static SolarHarvestParams fromConfig(const core::Config& cfg);
};

class SolarHarvest {
 public:
  explicit SolarHarvest(SolarHarvestParams params);

  struct Sample {
    Sky::State sky;
    PlaneOfArray poa;
    Temperature cell;
    Current charge;  // into the battery
  };
  // Everything at EPOCH with the battery at BATTERY volts.
  Sample at(double epoch, Voltage battery) const;
  // Current into the battery at EPOCH with the battery at BATTERY volts: at(...).charge, to
  // the bit, without the parts of the sample it does not need (the angle of incidence).
  Current chargeCurrent(double epoch, Voltage battery) const;

  const Sky& sky() const { return m_sky; }
  const Panel& panel() const { return m_panel; }

 private:
  SolarHarvestParams m_params;
  Sky m_sky;
  Panel m_panel;
  PanelMount m_mount;  // the mount with its angles' cosines and sines, for transposeWithCosines()

  Current chargeFor(Irradiance poa, Temperature cell, Voltage battery) const;
};

}  // namespace ej::solar
