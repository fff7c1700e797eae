/* Errors thrown by the binding (binding/napi.h). */
#include <stdbool.h>
#include <stdio.h>

#include "binding/napi.h"

const char *const CODE_CONFIG = "DSPFN_CONFIG";
const char *const CODE_SNAPSHOT = "DSPFN_SNAPSHOT";
const char *const CODE_SAMPLES = "DSPFN_INVALID_SAMPLES";
const char *const CODE_NATIVE = "DSPFN_NATIVE";

void throw_error(napi_env env, const char *code, int status, const char *message) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) == napi_ok && pending) return;
  napi_value code_value, message_value, error;
  if (napi_create_string_utf8(env, code, NAPI_AUTO_LENGTH, &code_value) != napi_ok ||
      napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &message_value) != napi_ok ||
      napi_create_error(env, code_value, message_value, &error) != napi_ok) {
    napi_throw_error(env, code, message);
    return;
  }
  if (status != 0) {
    napi_value status_value;
    if (napi_create_int32(env, status, &status_value) == napi_ok) {
      napi_set_named_property(env, error, "status", status_value);
    }
  }
  napi_throw(env, error);
}

void throw_napi(napi_env env, const char *what) {
  const napi_extended_error_info *info = NULL;
  napi_get_last_error_info(env, &info);
  char message[256];
  snprintf(message, sizeof message, "dspfn native: %s failed (%s)", what,
           info != NULL && info->error_message != NULL ? info->error_message : "unknown error");
  throw_error(env, CODE_NATIVE, 0, message);
}
