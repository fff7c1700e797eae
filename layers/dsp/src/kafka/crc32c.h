/*
 * CRC-32C (Castagnoli), the checksum of Kafka's record batches: with the CPU's CRC instructions in
 * three interleaved streams (SSE4.2 on x86-64 when the CPU has it, the CRC extension of the arm64
 * build's Graviton2 baseline), else a portable slice-by-8 table. Every path returns the same value.
 */
#ifndef DSPFN_KAFKA_CRC32C_H
#define DSPFN_KAFKA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32C of data[0, length): initial value and final XOR 0xffffffff, as Kafka (and RFC 3720) define it. */
uint32_t dspfn_crc32c(const uint8_t *data, size_t length);
/* The same from the portable table path on any CPU (the tests compare the two). */
uint32_t dspfn_crc32c_portable(const uint8_t *data, size_t length);
/* Whether dspfn_crc32c uses the CPU's CRC instructions here. */
int dspfn_crc32c_hardware(void);

#endif /* DSPFN_KAFKA_CRC32C_H */
