#include "hub/http_client.h"

#include <curl/curl.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>

namespace csm {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string host_of(const std::string& url) {
  const auto start = url.find("://");
  if (start == std::string::npos) return {};
  const auto end = url.find('/', start + 3);
  return url.substr(start + 3, end == std::string::npos ? std::string::npos : end - start - 3);
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<std::map<std::string, std::string>*>(user);
  std::string line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0) headers->clear();  // a new response (after a redirect)
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.erase(value.begin());
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.pop_back();
    (*headers)[name] = value;
  }
  return size * count;
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

struct FileSink {
  FILE* file = nullptr;
  bool failed = false;
  long status = 0;
  CURL* curl = nullptr;
};

size_t on_file(char* data, size_t size, size_t count, void* user) {
  auto* sink = static_cast<FileSink*>(user);
  long status = 0;
  curl_easy_getinfo(sink->curl, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 300) return size * count;  // an error page: not file content
  if (std::fwrite(data, size, count, sink->file) != count) {
    sink->failed = true;
    return 0;  // aborts the transfer
  }
  return size * count;
}

struct ProgressHook {
  const std::function<void(int64_t, int64_t)>* callback;
  int64_t offset;
};

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* hook = static_cast<ProgressHook*>(user);
  if (*hook->callback) (*hook->callback)(hook->offset + now, total > 0 ? hook->offset + total : 0);
  return 0;
}

CURL* make_handle(const std::string& url, const std::string& endpoint, const std::string& token, curl_slist** headers) {
  global_init();
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "csm-studio/0.1");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
  // A stalled transfer (under 1 byte/s for a minute) fails instead of hanging forever.
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  if (!token.empty() && host_of(url) == host_of(endpoint))
    *headers = curl_slist_append(*headers, ("Authorization: Bearer " + token).c_str());
  if (*headers) curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
  return curl;
}

// Runs the transfer; the callbacks write into `response` itself (it must not move meanwhile).
void perform(CURL* curl, curl_slist* headers, HttpResponse& response) {
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  if (code != CURLE_OK && !response.write_failed && (response.status == 0 || code != CURLE_WRITE_ERROR))
    response.transport_error = curl_easy_strerror(code);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
}

}  // namespace

HttpClient::HttpClient(std::string endpoint, std::string token) : endpoint_(std::move(endpoint)), token_(std::move(token)) {}

HttpResponse HttpClient::get(const std::string& url) const {
  curl_slist* headers = nullptr;
  CURL* curl = make_handle(url, endpoint_, token_, &headers);
  HttpResponse response;
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  perform(curl, headers, response);
  return response;
}

HttpResponse HttpClient::head(const std::string& url) const {
  curl_slist* headers = nullptr;
  CURL* curl = make_handle(url, endpoint_, token_, &headers);
  HttpResponse response;
  curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  perform(curl, headers, response);
  return response;
}

HttpResponse HttpClient::download(const std::string& url, const std::string& path, int64_t offset,
                                  const std::function<void(int64_t, int64_t)>& progress) const {
  HttpResponse response;
  FileSink sink;
  sink.file = std::fopen(path.c_str(), offset > 0 ? "ab" : "wb");
  if (!sink.file) {
    response.write_failed = true;
    response.transport_error = std::string("cannot write ") + path + ": " + std::strerror(errno);
    return response;
  }
  curl_slist* headers = nullptr;
  CURL* curl = make_handle(url, endpoint_, token_, &headers);
  sink.curl = curl;
  ProgressHook hook{&progress, offset};
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response.headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_file);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &hook);
  if (offset > 0) curl_easy_setopt(curl, CURLOPT_RESUME_FROM_LARGE, static_cast<curl_off_t>(offset));
  perform(curl, headers, response);
  if (std::fflush(sink.file) != 0 || std::fclose(sink.file) != 0) sink.failed = true;
  response.write_failed = sink.failed;
  return response;
}

}  // namespace csm
