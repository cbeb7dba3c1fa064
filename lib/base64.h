/* Base64 (RFC 4648, with padding): the guest sends its files in it over a
 * serial port, and the HTML report embeds its plots in it. One codec
 * instead of one per user. */
#ifndef PB_BASE64_H
#define PB_BASE64_H

#include <stdio.h>
#include <stddef.h>

/* Decodes s[0..len) in place (the output is never longer). The decoded
 * length, or -1 when s is not base64: a character outside the alphabet,
 * a length not a multiple of 4, padding other than at the end. */
long base64_decode(char *s, size_t len);
/* Writes the base64 of p[0..n) to f, on one line. */
void base64_write(FILE *f, const unsigned char *p, size_t n);

#endif
