import type { z } from 'zod';

/** One line naming each failing field, e.g. `data: Invalid input: expected array, received string`. */
export function zodReason(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'value'}: ${issue.message}`).join('; ');
}
