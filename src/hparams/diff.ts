// The one "differs from the defaults" rule: runs are named by the hash of the fields whose value differs from the
// defaults, so adding a field (with a default) later renames no existing run, and the same settings written in any
// order name the same run.
import { stableStringify } from '../store/hash.js';

/** `group.key → value` for an object of groups (nested one level). */
export function flatten(h: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [g, values] of Object.entries(h)) {
    if (values && typeof values === 'object' && !Array.isArray(values))
      for (const [k, v] of Object.entries(values)) out[`${g}.${k}`] = v;
    else out[g] = values;
  }
  return out;
}

/** The flattened fields of `h` that differ from `defaults` (or that `defaults` lacks). */
export function nonDefaults(h: object, defaults: object): Record<string, unknown> {
  const a = flatten(h);
  const d = flatten(defaults);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(a))
    if (v !== undefined && (!(k in d) || stableStringify(v) !== stableStringify(d[k]))) out[k] = v;
  return out;
}
