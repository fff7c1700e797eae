import type { FunctionDefinition } from './definition.ts';

/**
 * Marks a built-in input function that keeps nothing of a record once it returns (deviceReadings):
 * with it, no user code sees a record's memory (see reusesEventMemory).
 */
export const KEEPS_NO_RECORD_MEMORY = Symbol.for('dspfn.input.keepsNoRecordMemory');

/**
 * Whether the handler may decode a batch's keys and values into memory the next batch reuses
 * (SlabPool): only when no user code can keep a view of it — the default input or a marked
 * built-in one, raw f32le results (no `output.value`), no `output.key`, no windows. What else
 * reads the memory stays inside the batch, except dead letters, whose bytes are then copied.
 */
export function reusesEventMemory<M>(definition: FunctionDefinition<M>): boolean {
  const { input, output } = definition;
  const builtinInput = input === undefined || (input as { [KEEPS_NO_RECORD_MEMORY]?: unknown })[KEEPS_NO_RECORD_MEMORY] === true;
  return builtinInput && output.format === 'f32le' && output.key === undefined && definition.window === undefined;
}
