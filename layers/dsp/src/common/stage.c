/* Helpers of the stage contract (common/stage.h). */
#include <stdarg.h>
#include <stdio.h>

#include "common/stage.h"

int dspfn_fail(dspfn_msg *msg, int status, const char *format, ...) {
  if (msg != NULL) {
    va_list args;
    va_start(args, format);
    vsnprintf(msg->text, sizeof msg->text, format, args);
    va_end(args);
  }
  return status;
}
