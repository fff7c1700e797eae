// Module resolution hook for running dspfn from its sources (see bin/dspfn.js): adds the
// "dspfn-source" export condition, under which package.json maps dspfn's entry points to core/*.ts.
export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes('dspfn-source') ? context.conditions : [...context.conditions, 'dspfn-source'];
  return nextResolve(specifier, { ...context, conditions });
}
