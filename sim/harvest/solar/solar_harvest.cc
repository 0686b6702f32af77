// The solar harvest chain; see solar_harvest.h.
#include "sim/harvest/solar/solar_harvest.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace ej::solar {

SolarHarvestParams SolarHarvestParams::fromConfig(const core::Config& cfg) {
  SolarHarvestParams p;
  p.site = siteFromConfig(cfg.child("site"));
  if (auto w = cfg.optionalChild("weather")) {
    p.weather = WeatherParams::fromConfig(*w);
    // monthly_irradiation: the clearness of each month from the published irradiation and
    // this site's clear sky (once here, so a bad figure is a located error).
    try {
      p.weather.scaleToSite(p.site);
    } catch (const std::invalid_argument& e) {
      w->fail("ghi_daily", e.what());
    }
  }
  if (auto m = cfg.optionalChild("mount")) p.mount = orientationFromConfig(*m);
  p.panel = PanelParams::fromConfig(cfg.child("panel"));
  if (auto c = cfg.optionalChild("charger")) p.charger = ChargerParams::fromConfig(*c);
  p.panelCount = ratio(static_cast<double>(cfg.integer("panels", 1, 1, 1000)));
  if (p.charger.kind == ChargerParams::Kind::Linear && !p.panel.hasIvCurve()) {
    cfg.fail("charger", "a linear charger needs a panel with voc, isc, vmp and imp");
  }
  return p;
}

SolarHarvest::SolarHarvest(SolarHarvestParams params)
    : m_params(std::move(params)),
      m_sky(m_params.site, m_params.weather),
      m_panel(m_params.panel),
      m_mount(m_params.mount) {}

Current SolarHarvest::chargeFor(Irradiance poa, Temperature cell, Voltage battery) const {
  // Parallel panels: each gives the same current; the charger limit applies to the sum.
  const Current one = solar::chargeCurrent(m_params.charger, m_panel, poa, cell, battery);
  return std::min(m_params.panelCount.value() * one, m_params.charger.currentLimit);
}

SolarHarvest::Sample SolarHarvest::at(double epoch, Voltage battery) const {
  Sample s;
  s.sky = m_sky.at(epoch);
  s.poa = transposeWithCosines(s.sky.irradiance, s.sky.sun, m_mount);
  s.cell = m_panel.cellTemperature(s.poa.total, s.sky.airTemperature);
  s.charge = chargeFor(s.poa.total, s.cell, battery);
  return s;
}

Current SolarHarvest::chargeCurrent(double epoch, Voltage battery) const {
  const Sky::State& sky = m_sky.at(epoch);
  const Irradiance poa =
      transposeWithCosines(sky.irradiance, sky.sun, m_mount, /*withIncidence=*/false).total;
  return chargeFor(poa, m_panel.cellTemperature(poa, sky.airTemperature), battery);
}

}  // namespace ej::solar
