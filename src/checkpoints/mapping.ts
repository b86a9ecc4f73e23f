// Checkpoint tensor names -> module parameter names. By default a name maps to itself; a mapping may strip a
// prefix, rename by pattern and skip tensors the module has no place for. Patterns are literal text with numbered
// placeholders: `transformer.h.{i}.attn.c_attn.weight` matches any layer number and `{i}` carries it into the
// target name. Model builders supply the tables; nothing model-specific lives here.
import { quote } from '../store/message-text.js';

export interface TensorRename {
  from: string;
  to: string;
  /** Swap the two axes of a 2-D tensor while loading (GPT-2's Conv1D stores [in, out], Linear holds [out, in]). */
  transpose?: boolean;
}

export interface NameMapping {
  /** Removed from the start of every checkpoint name that has it, before renames and skips are matched. */
  stripPrefix?: string;
  /** Tried in order; the first whose `from` matches renames the tensor. Names no rename matches stay as they are. */
  renames?: readonly TensorRename[];
  /** Patterns of checkpoint tensors that are not loaded (buffers such as attention masks, unused heads). */
  skip?: readonly string[];
}

export interface MappedName {
  target: string;
  transpose: boolean;
}

/** A checkpoint name's target, or null for a skipped tensor. */
export type NameMapper = (checkpointName: string) => MappedName | null;

interface CompiledPattern {
  regex: RegExp;
  holes: string[];
}

const HOLE = /\{([A-Za-z_]\w*)\}/g;

/** Compiles a mapping once; a rename whose target uses a placeholder its pattern lacks is a TypeError. */
export function compileMapping(mapping: NameMapping = {}): NameMapper {
  const prefix = mapping.stripPrefix ?? '';
  const skips = (mapping.skip ?? []).map(compilePattern);
  const renames = (mapping.renames ?? []).map((r) => {
    const pattern = compilePattern(r.from);
    for (const [, hole] of r.to.matchAll(HOLE)) {
      if (!pattern.holes.includes(hole!))
        throw new TypeError(`rename ${quote(r.from)} -> ${quote(r.to)}: {${hole}} is not in the pattern`);
    }
    return { pattern, to: r.to, transpose: r.transpose ?? false };
  });
  return (checkpointName) => {
    const name = prefix && checkpointName.startsWith(prefix) ? checkpointName.slice(prefix.length) : checkpointName;
    if (skips.some((s) => s.regex.test(name))) return null;
    for (const r of renames) {
      const m = r.pattern.regex.exec(name);
      if (!m) continue;
      const target = r.to.replace(HOLE, (_, hole: string) => m[r.pattern.holes.indexOf(hole) + 1]!);
      return { target, transpose: r.transpose };
    }
    return { target: name, transpose: false };
  };
}

function compilePattern(pattern: string): CompiledPattern {
  const holes: string[] = [];
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(HOLE)) {
    if (holes.includes(m[1]!)) throw new TypeError(`pattern ${quote(pattern)} uses {${m[1]}} twice`);
    holes.push(m[1]!);
    source += escapeRegex(pattern.slice(last, m.index)) + '(\\d+)';
    last = m.index! + m[0].length;
  }
  source += escapeRegex(pattern.slice(last));
  return { regex: new RegExp(`^${source}$`), holes };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
