/**
 * The exports of a dynamically imported package, whatever loaded it. Node gives a CommonJS
 * package's namespace its named exports, but esbuild's split chunks give it only `default`
 * (module.exports): the function bundles load their adapters as separate chunks, so the code of
 * an adapter a function does not use is never compiled at cold start.
 */
export function packageExports<T extends object>(namespace: T): T {
  const keys = Object.keys(namespace);
  if (keys.length === 1 && keys[0] === 'default') {
    const exports = (namespace as { default?: unknown }).default;
    if (exports !== null && (typeof exports === 'object' || typeof exports === 'function')) return exports as T;
  }
  return namespace;
}
