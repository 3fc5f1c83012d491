// Typed wrappers around libcurl's variadic curl_easy_setopt / curl_easy_getinfo:
// Swift cannot call C variadic functions, so each argument type gets its own entry point.
#ifndef WAVESYNC_CCURLSHIM_H
#define WAVESYNC_CCURLSHIM_H

#include <curl/curl.h>

CURLcode wavesync_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode wavesync_curl_setopt_offset(CURL *handle, CURLoption option, curl_off_t value);
CURLcode wavesync_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode wavesync_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode wavesync_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode wavesync_curl_setopt_write_callback(
    CURL *handle, CURLoption option, size_t (*callback)(char *, size_t, size_t, void *));
CURLcode wavesync_curl_setopt_xferinfo_callback(
    CURL *handle, int (*callback)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t));

// A `struct curl_blob` option (CURLOPT_CAINFO_BLOB, CURLOPT_SSLCERT_BLOB, CURLOPT_SSLKEY_BLOB):
// curl copies the bytes (CURL_BLOB_COPY), so the caller's buffer need not outlive the call.
CURLcode wavesync_curl_setopt_blob(CURL *handle, CURLoption option, const void *data, size_t length);

CURLcode wavesync_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode wavesync_curl_getinfo_offset(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode wavesync_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);

// The CURLcode of a finished transfer: CURLMsg keeps it in an anonymous union.
CURLcode wavesync_curl_msg_result(const CURLMsg *message);
// Whether a curl_multi_info_read message says a transfer is done.
int wavesync_curl_msg_is_done(const CURLMsg *message);

#endif
