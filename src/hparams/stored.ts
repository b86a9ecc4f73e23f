// Hyperparameters stored by an earlier version lack the fields added since (dataset.name, training.beta1, ...).
// Each missing field takes the value that keeps the stored run's behaviour (defaults.ts `namingDefaults`, which also
// names runs), so the run keeps its name.
// Unknown fields and wrong values are still refused by the schema afterwards.
import type { InitName } from '../nn/init.js';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `stored` (a parsed hparams object) with missing fields of its groups filled from `defaults(model, init)`. */
export function fillAddedFields(stored: unknown, defaults: (model: string, init?: InitName) => object): unknown {
  if (!isRecord(stored) || !isRecord(stored.model) || typeof stored.model.model !== 'string') return stored;
  let d: object;
  try {
    d = defaults(stored.model.model, stored.model.init as InitName | undefined); // the schema checks init later
  } catch {
    return stored; // an unknown model: the schema reports the file as it is
  }
  const out: Record<string, unknown> = { ...stored };
  for (const [name, group] of Object.entries(d)) {
    const have = stored[name];
    if (isRecord(have)) out[name] = { ...group, ...have };
  }
  return out;
}
