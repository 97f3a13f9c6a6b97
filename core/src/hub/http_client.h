#pragma once
// A small libcurl wrapper for the hub: JSON GETs, HEADs without following
// redirects, and resumable downloads to a file. The token goes only to the
// hub's own host, never to the CDN a download is redirected to.
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace csm {

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // lower-case names, of the last response
  std::string body;
  std::string transport_error;  // set when no HTTP answer came at all
  bool write_failed = false;    // the disk refused the data
};

class HttpClient {
 public:
  HttpClient(std::string endpoint, std::string token);
  HttpResponse get(const std::string& url) const;    // follows redirects
  HttpResponse head(const std::string& url) const;   // does not follow redirects
  // Appends to `path` from byte `offset` (Range request), following redirects.
  HttpResponse download(const std::string& url, const std::string& path, int64_t offset,
                        const std::function<void(int64_t done, int64_t total)>& progress) const;

 private:
  std::string endpoint_, token_;
};

}  // namespace csm
