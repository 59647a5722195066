/* The per-invocation floor: what any webhook process must do, and nothing else. It reads the
 * event on stdin, computes its HMAC-SHA256, connects to PostgreSQL with libpq (the same
 * connection defaults as the functions), runs one INSERT … ON CONFLICT keyed on the HMAC, and
 * writes an answer on stdout: an API Gateway answer, or a CGI one when GATEWAY_INTERFACE is set.
 *
 *   cc -O2 -o floor Benchmarks/floor.c $(pkg-config --cflags --libs libpq libcrypto)
 */
#include <libpq-fe.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    static unsigned char body[4 << 20];
    size_t length = 0;
    const char *cgi = getenv("GATEWAY_INTERFACE");
    size_t wanted = cgi && getenv("CONTENT_LENGTH") ? (size_t)atol(getenv("CONTENT_LENGTH")) : sizeof body;
    if (wanted > sizeof body) wanted = sizeof body;
    ssize_t got;
    while (length < wanted && (got = read(0, body + length, wanted - length)) > 0) length += (size_t)got;

    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_length = 0;
    const char *key = "whsec_floor";
    HMAC(EVP_sha256(), key, (int)strlen(key), body, length, mac, &mac_length);
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < mac_length; i++) sprintf(hex + 2 * i, "%02x", mac[i]);

    const char *keywords[] = {"connect_timeout", "application_name", "gssencmode", "dbname", NULL};
    const char *values[] = {"5", "floor", "disable", getenv("DATABASE_URL"), NULL};
    PGconn *connection = PQconnectdbParams(keywords, values, 1);
    int status = 200;
    if (PQstatus(connection) != CONNECTION_OK) {
        status = 503;
    } else {
        const char *parameters[] = {hex};
        PGresult *result = PQexecParams(connection,
            "INSERT INTO webhook_events (provider, event_key, event_type, verification, outcome) "
            "VALUES ('stripe', $1, 'floor', 'signature', 'processed') "
            "ON CONFLICT (provider, event_key) DO UPDATE SET deliveries = webhook_events.deliveries + 1 "
            "RETURNING deliveries", 1, NULL, parameters, NULL, NULL, 0);
        if (PQresultStatus(result) != PGRES_TUPLES_OK) status = 500;
        PQclear(result);
    }
    PQfinish(connection);

    const char *outcome = status == 200 ? "processed" : "failed";
    if (cgi) {
        printf("Status: %d %s\r\nContent-Type: application/json\r\n\r\n{\"outcome\":\"%s\"}", status, status == 200 ? "OK" : "Error", outcome);
    } else {
        printf("{\"statusCode\":%d,\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"outcome\\\":\\\"%s\\\"}\",\"isBase64Encoded\":false}\n",
               status, outcome);
    }
    return 0;
}
