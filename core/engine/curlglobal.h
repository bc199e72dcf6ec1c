#pragma once

// libcurl's global set-up, done once per process before the first handle, by every client of
// the engine layer (DockerClient, OciRegistryClient): curl_global_init is not thread-safe, and
// curl_easy_init would otherwise run it implicitly on whichever thread comes first.

#include <curl/curl.h>

#include <mutex>

namespace trainyard::core {

inline void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace trainyard::core
