#ifndef PAYFN_CLIBCURL_SHIM_H
#define PAYFN_CLIBCURL_SHIM_H
#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: one typed
   wrapper for each kind of argument the client passes. */
typedef size_t (*payfn_curl_callback)(char *data, size_t size, size_t count, void *context);

static inline CURLcode payfn_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode payfn_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode payfn_curl_set_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode payfn_curl_set_callback(CURL *handle, CURLoption option, payfn_curl_callback value) {
    return curl_easy_setopt(handle, option, value);
}
static inline CURLcode payfn_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}
#endif
