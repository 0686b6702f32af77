// PVGIS TMY download; see weather_fetch.h.
#include "sim/harvest/solar/weather_fetch.h"

#include <curl/curl.h>
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <ctime>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/core/calendar.h"
#include "sim/harvest/solar/weather_files.h"

namespace ej::solar {
namespace {

constexpr std::size_t kMaxBody = std::size_t{64} << 20;

std::size_t onBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() + size * count > kMaxBody) return 0;  // aborts the transfer
  body->append(data, size * count);
  return size * count;
}

// libcurl, loaded when the first download starts rather than with the program: it and the
// ~17 libraries it needs (TLS, Kerberos, LDAP, ...) cost every command about 7 ms of CPU at
// start-up (issue 17). Only the entry points used here; the soname is libcurl's since 2006.
struct Curl {
  decltype(&curl_global_init) globalInit;
  decltype(&curl_easy_init) easyInit;
  decltype(&curl_easy_cleanup) easyCleanup;
  decltype(&curl_easy_setopt) easySetopt;
  decltype(&curl_easy_perform) easyPerform;
  decltype(&curl_easy_strerror) easyStrerror;
  decltype(&curl_easy_getinfo) easyGetinfo;

  static const Curl& get() {
    static const Curl curl = load();
    return curl;
  }

 private:
  static Curl load() {
    void* lib = ::dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (!lib) throw std::runtime_error(fmt::format("cannot load libcurl: {}", ::dlerror()));
    auto sym = [lib](const char* name) {
      void* f = ::dlsym(lib, name);
      if (!f) throw std::runtime_error(fmt::format("libcurl.so.4 has no {}", name));
      return f;
    };
    Curl c{};
    c.globalInit = reinterpret_cast<decltype(c.globalInit)>(sym("curl_global_init"));
    c.easyInit = reinterpret_cast<decltype(c.easyInit)>(sym("curl_easy_init"));
    c.easyCleanup = reinterpret_cast<decltype(c.easyCleanup)>(sym("curl_easy_cleanup"));
    c.easySetopt = reinterpret_cast<decltype(c.easySetopt)>(sym("curl_easy_setopt"));
    c.easyPerform = reinterpret_cast<decltype(c.easyPerform)>(sym("curl_easy_perform"));
    c.easyStrerror = reinterpret_cast<decltype(c.easyStrerror)>(sym("curl_easy_strerror"));
    c.easyGetinfo = reinterpret_cast<decltype(c.easyGetinfo)>(sym("curl_easy_getinfo"));
    return c;
  }
};

}  // namespace

std::string pvgisTmyUrl(double lat_deg, double lon_deg, const std::string& api) {
  return fmt::format("{}tmy?lat={:.4f}&lon={:.4f}&outputformat=json", api, lat_deg, lon_deg);
}

std::string httpGet(const std::string& url) {
  const Curl& lib = Curl::get();
  static const bool init = lib.globalInit(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  if (!init) throw std::runtime_error("cannot initialise libcurl");
  std::unique_ptr<CURL, void (*)(CURL*)> curl(lib.easyInit(), lib.easyCleanup);
  if (!curl) throw std::runtime_error("cannot initialise libcurl");
  std::string body;
  char error[CURL_ERROR_SIZE] = {0};
  lib.easySetopt(curl.get(), CURLOPT_URL, url.c_str());
  lib.easySetopt(curl.get(), CURLOPT_WRITEFUNCTION, onBody);
  lib.easySetopt(curl.get(), CURLOPT_WRITEDATA, &body);
  lib.easySetopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  lib.easySetopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);
  lib.easySetopt(curl.get(), CURLOPT_CONNECTTIMEOUT, 20L);
  lib.easySetopt(curl.get(), CURLOPT_TIMEOUT, 120L);
  lib.easySetopt(curl.get(), CURLOPT_USERAGENT, "edgejoule");
  const CURLcode rc = lib.easyPerform(curl.get());
  if (rc != CURLE_OK) {
    throw std::runtime_error(
        fmt::format("cannot download {}: {}", url, error[0] ? error : lib.easyStrerror(rc)));
  }
  long status = 0;
  lib.easyGetinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 400) {
    // PVGIS answers a bad request with a JSON {"message": ...}.
    std::string why = body.substr(0, 300);
    try {
      const auto j = nlohmann::json::parse(body);
      if (j.contains("message")) why = j["message"].get<std::string>();
    } catch (const std::exception&) {
    }
    throw std::runtime_error(fmt::format("{} answered HTTP {}: {}", url, status, why));
  }
  return body;
}

FetchResult fetchPvgisTmy(double lat_deg, double lon_deg, const std::filesystem::path& out,
                          const std::function<std::string(const std::string&)>& get,
                          const std::string& api) {
  namespace fs = std::filesystem;
  if (!std::isfinite(lat_deg) || std::abs(lat_deg) > 90) {
    throw std::runtime_error("--lat: must lie within +-90 deg");
  }
  if (!std::isfinite(lon_deg) || std::abs(lon_deg) > 180) {
    throw std::runtime_error("--lon: must lie within +-180 deg");
  }
  if (fs::exists(out)) {
    throw std::runtime_error(
        fmt::format("{}: exists; not overwritten (give another --out)", out.string()));
  }
  FetchResult r;
  r.file = out;
  r.url = pvgisTmyUrl(lat_deg, lon_deg, api);
  const std::string body = get(r.url);
  r.fetchedUtc = core::formatUtc(static_cast<double>(std::time(nullptr)));
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(fmt::format("{}: the answer is not JSON: {}", r.url, e.what()));
  }
  j["edgejoule_source"] = {{"url", r.url},
                           {"fetched_utc", r.fetchedUtc},
                           {"tool", "PVGIS tmy (European Commission JRC)"}};
  const fs::path dir = out.has_parent_path() ? out.parent_path() : fs::path(".");
  const fs::path temp = dir / fmt::format(".{}.tmp-{}", out.filename().string(), getpid());
  {
    std::ofstream f(temp, std::ios::binary);
    f << j.dump(1) << "\n";
    if (!f) {
      std::error_code ec;
      fs::remove(temp, ec);
      throw std::runtime_error(fmt::format("{}: cannot write", temp.string()));
    }
  }
  try {
    // The reader checks every row before the file is kept (a temp ending .json).
    const fs::path check = temp.string() + ".json";
    fs::rename(temp, check);
    try {
      r.hours = readWeatherFile(check).samples().size();
    } catch (...) {
      std::error_code ec;
      fs::remove(check, ec);
      throw;
    }
    if (fs::exists(out)) {
      std::error_code ec;
      fs::remove(check, ec);
      throw std::runtime_error(
          fmt::format("{}: appeared meanwhile; not overwritten", out.string()));
    }
    fs::rename(check, out);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(fmt::format("{}: {}", r.url, e.what()));
  }
  return r;
}

}  // namespace ej::solar
