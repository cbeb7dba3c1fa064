#include "config.h"
#include "base64.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

long base64_decode(char *s, size_t len)
{
	size_t out = 0, used = 0;
	unsigned acc = 0;

	if (len % 4)
		return -1;
	for (size_t i = 0; i < len; i++) {
		int v = value((unsigned char)s[i]);
		if (s[i] == '=') {
			/* only as the last one or two characters */
			if (i < len - 2 || (i == len - 2 && s[len - 1] != '='))
				return -1;
			continue;
		}
		if (v < 0)
			return -1;
		acc = acc << 6 | (unsigned)v;
		if (++used == 4) {
			s[out++] = (char)(acc >> 16);
			s[out++] = (char)(acc >> 8);
			s[out++] = (char)acc;
			used = 0;
			acc = 0;
		}
	}
	if (used == 3) {
		s[out++] = (char)(acc >> 10);
		s[out++] = (char)(acc >> 2);
	} else if (used == 2) {
		s[out++] = (char)(acc >> 4);
	}
	return (long)out;
}

void base64_write(FILE *f, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
			     (i + 2 < n ? p[i + 2] : 0);
		fputc(alphabet[v >> 18 & 63], f);
		fputc(alphabet[v >> 12 & 63], f);
		fputc(i + 1 < n ? alphabet[v >> 6 & 63] : '=', f);
		fputc(i + 2 < n ? alphabet[v & 63] : '=', f);
	}
}
