#ifndef LL_CRYPT_H
#define LL_CRYPT_H

#include <stddef.h>

/* Hashing, random codes and key hashing (OpenSSL). */

#define CRYPT_SHA256_HEX 65	/* bytes for 64 hex digits and NUL */

/* Writes the lowercase hex SHA-256 of len bytes of data into out. Cannot
 * fail. */
void crypt_sha256_hex(const void *data, size_t len, char out[CRYPT_SHA256_HEX]);

/* Writes the keyed hash (HMAC-SHA256 under secret) of key as hex into
 * out. Cannot fail. */
void crypt_key_hash(const unsigned char *secret, size_t secret_len,
    const char *key, char out[CRYPT_SHA256_HEX]);

/* Compares two NUL-terminated strings of equal length in constant time.
 * Returns 1 when equal; strings of different lengths are never equal. */
int crypt_equal(const char *a, const char *b);

/* Fills out with len characters drawn uniformly from alphabet using the
 * kernel's cryptographic random source (getrandom(2)), then a NUL.
 * Returns 0, or -1 when the random source fails. */
int crypt_random_string(char *out, size_t len, const char *alphabet);

#define CRYPT4_PREFIX	"happ://crypt4/"
#define CRYPT4_BLOCK	501	/* bytes of link one RSA-4096 block holds */
#define CRYPT4_MAX	700	/* bytes of an encrypted link and its NUL */

enum crypt4_result {
	CRYPT4_OK = 0,
	CRYPT4_TOO_LONG,	/* the link is over CRYPT4_BLOCK bytes */
	CRYPT4_KEY,		/* the key cannot be read or is no RSA-4096 key */
	CRYPT4_FAIL		/* the encryption failed (logged) */
};

/* Encrypts len bytes of link as Happ's app expects: RSA-4096 with PKCS#1
 * v1.5 padding under the PEM public key in key_path, standard base64 with
 * padding, behind "happ://crypt4/". Writes the NUL-terminated result into
 * out. The key is read once per process and kept (read again when
 * key_path changes). The padding is random: each call gives another text
 * that decrypts to the same link. */
enum crypt4_result crypt_crypt4(const char *key_path, const char *link,
    size_t len, char out[CRYPT4_MAX]);

#define CRYPT_ALNUM \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
#define CRYPT_KEYCHARS CRYPT_ALNUM "-_"

#endif
