/* The SIMD path of a Node environment: simd(), setSimd(), simdPaths() and DSPFN_SIMD (binding/napi.h). */
#include <stdio.h>
#include <string.h>

#include "binding/napi.h"

static napi_value simd_value(napi_env env, dspfn_simd simd) {
  napi_value value;
  CALL(env, napi_create_string_utf8(env, dspfn_simd_name(simd), NAPI_AUTO_LENGTH, &value));
  return value;
}

napi_value js_simd(napi_env env, napi_callback_info info) {
  (void)info;
  instance_t *inst = instance(env);
  return simd_value(env, inst != NULL ? inst->simd : DSPFN_SIMD_SCALAR);
}

/* Parses a path name; -1 if unknown. */
static int parse_simd(const char *name) {
  if (strcmp(name, "") == 0 || strcmp(name, "1") == 0 || strcmp(name, "auto") == 0 || strcmp(name, "on") == 0) {
    return (int)dspfn_simd_best();
  }
  if (strcmp(name, "0") == 0 || strcmp(name, "off") == 0 || strcmp(name, "scalar") == 0) return DSPFN_SIMD_SCALAR;
  if (strcmp(name, "sse2") == 0) return DSPFN_SIMD_SSE2;
  if (strcmp(name, "avx2") == 0) return DSPFN_SIMD_AVX2;
  if (strcmp(name, "neon") == 0) return DSPFN_SIMD_NEON;
  return -1;
}

int choose_simd(napi_env env, const char *name, instance_t *inst) {
  const int simd = parse_simd(name);
  if (simd < 0 || !dspfn_simd_available((dspfn_simd)simd)) {
    char message[256];
    snprintf(message, sizeof message,
             "SIMD path \"%s\" is %s here (this CPU runs: scalar, %s); use auto, scalar or 0", name,
             simd < 0 ? "unknown" : "not available", dspfn_simd_name(dspfn_simd_best()));
    throw_error(env, CODE_CONFIG, DSPFN_E_ARG, message);
    return 0;
  }
  inst->simd = (dspfn_simd)simd;
  return 1;
}

napi_value js_set_simd(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  CALL(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  instance_t *inst = instance(env);
  if (inst == NULL || argc < 1) {
    throw_error(env, CODE_NATIVE, 0, "dspfn native: setSimd(true | false | name)");
    return NULL;
  }
  napi_valuetype type;
  CALL(env, napi_typeof(env, argv[0], &type));
  if (type == napi_boolean) {
    bool enabled = false;
    CALL(env, napi_get_value_bool(env, argv[0], &enabled));
    inst->simd = enabled ? dspfn_simd_best() : DSPFN_SIMD_SCALAR;
  } else {
    char name[32];
    size_t length = 0;
    if (type != napi_string || napi_get_value_string_utf8(env, argv[0], name, sizeof name, &length) != napi_ok) {
      throw_error(env, CODE_NATIVE, 0, "dspfn native: setSimd(true | false | name)");
      return NULL;
    }
    if (!choose_simd(env, name, inst)) return NULL;
  }
  return simd_value(env, inst->simd);
}

napi_value js_simd_paths(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value list;
  CALL(env, napi_create_array(env, &list));
  const dspfn_simd order[] = {DSPFN_SIMD_SCALAR, DSPFN_SIMD_SSE2, DSPFN_SIMD_AVX2, DSPFN_SIMD_NEON};
  uint32_t at = 0;
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
    if (!dspfn_simd_available(order[i])) continue;
    napi_value name = simd_value(env, order[i]);
    if (name == NULL) return NULL;
    CALL(env, napi_set_element(env, list, at++, name));
  }
  return list;
}
