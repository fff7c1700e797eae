/*
 * crc32c(data: Uint8Array, portable?: boolean) -> the CRC-32C of data, unsigned (kafka/crc32c.h):
 * the checksum of every record batch the Kafka producer writes. `portable` takes the table path
 * whatever the CPU has (for the tests).
 */
#include "binding/napi.h"
#include "kafka/crc32c.h"

napi_value js_crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  void *data = NULL;
  size_t length = 0;
  if (argc < 1 || napi_get_buffer_info(env, argv[0], &data, &length) != napi_ok) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: crc32c(data: Uint8Array)");
    return NULL;
  }
  bool portable = false;
  if (argc > 1) napi_get_value_bool(env, argv[1], &portable);
  const uint32_t crc = portable ? dspfn_crc32c_portable((const uint8_t *)data, length) : dspfn_crc32c((const uint8_t *)data, length);
  napi_value result;
  CALL(env, napi_create_uint32(env, crc, &result));
  return result;
}
