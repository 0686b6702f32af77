// `edgejoule weather fetch`: a typical meteorological year from PVGIS's public API (tool
// `tmy`, JSON output), downloaded with libcurl, checked by the PVGIS JSON reader, and kept
// with its source and date.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace ej::solar {

// PVGIS 5.2 API base (European Commission JRC, https://re.jrc.ec.europa.eu/api/v5_2/).
inline constexpr const char* kPvgisApi = "https://re.jrc.ec.europa.eu/api/v5_2/";

// The `tmy` request for a site: LAT north and LON east positive, in degrees.
std::string pvgisTmyUrl(double lat_deg, double lon_deg, const std::string& api = kPvgisApi);

// The body of URL (http, https or file), by libcurl; throws std::runtime_error with
// curl's reason ("Could not resolve host: ...") or the HTTP status and PVGIS's message.
std::string httpGet(const std::string& url);

struct FetchResult {
  std::filesystem::path file;
  std::string url;
  std::string fetchedUtc;
  std::size_t hours = 0;  // rows of outputs.tmy_hourly
};

// Downloads the TMY of (LAT, LON) with GET (httpGet by default) into OUT, which must not
// exist: the PVGIS JSON as received plus a top-level "edgejoule_source" object {url,
// fetched_utc, tool}. The body is checked by the PVGIS JSON reader before OUT is written
// (atomically, through a temporary sibling). Throws std::runtime_error; nothing written
// then.
FetchResult fetchPvgisTmy(double lat_deg, double lon_deg, const std::filesystem::path& out,
                          const std::function<std::string(const std::string&)>& get = httpGet,
                          const std::string& api = kPvgisApi);

}  // namespace ej::solar
