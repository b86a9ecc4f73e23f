// The addon's exports and the NativeCore interface that types them (src/engine/native.ts, which extends the sparse
// kernels of src/engine/native-sparse.ts and the sequence-model kernels of src/engine/native-transformer.ts) name
// the same functions, so a kernel added on one side only fails here rather than at a call site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from './helpers/cli.js';

/** Method names declared in `export interface <name> ... { ... }` of a TypeScript source. */
function declaredMethods(source: string, name: string): string[] {
  const body = new RegExp(`export interface ${name}[^{]*\\{\\n([\\s\\S]*?)\\n\\}`).exec(source);
  assert.ok(body, `interface ${name} not found`);
  return [...body[1]!.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]!);
}

test('every native export is declared in NativeCore, and every declaration is exported', () => {
  const source = (file: string) => fs.readFileSync(path.join(repoRoot, 'src', 'engine', file), 'utf8');
  const declared = [
    ...declaredMethods(source('native.ts'), 'NativeCore'),
    ...declaredMethods(source('native-sparse.ts'), 'SparseKernels'),
    ...declaredMethods(source('native-transformer.ts'), 'TransformerKernels'),
  ];
  const exported = Object.keys(createRequire(import.meta.url)('@ticketlab/native') as object);
  assert.ok(declared.length > 40, `parsed only ${declared.length} declarations`);
  assert.equal(new Set(declared).size, declared.length, 'a method is declared twice');
  assert.deepEqual(
    exported.filter((name) => !declared.includes(name)),
    [],
    'exported by the addon but not declared in NativeCore',
  );
  assert.deepEqual(
    declared.filter((name) => !exported.includes(name)),
    [],
    'declared in NativeCore but not exported by the addon',
  );
});
