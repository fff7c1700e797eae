import { registerBackendResolver } from '../backend.ts';
import { resolveBackend } from './loader.ts';

/**
 * Imported for its effect by core's entry point: makes the native kernels the default backend
 * (see resolveBackend for DSPFN_BACKEND and the Lambda rule).
 */
registerBackendResolver(() => resolveBackend());

// On Lambda a missing or broken native module fails the cold start, with the fix in the init
// error, rather than the first batch.
if (process.env.AWS_LAMBDA_FUNCTION_NAME && process.env.DSPFN_BACKEND !== 'js') resolveBackend();
