// The addon's exports and the NativeCore interface that types them (src/engine/native.ts) name the same functions,
// so a kernel added on one side only fails here rather than at a call site.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { repoRoot } from './helpers/cli.js';

/** Method names declared in `export interface NativeCore { ... }` of the TypeScript source. */
function declaredMethods(source: string): string[] {
  const body = /export interface NativeCore \{\n([\s\S]*?)\n\}/.exec(source);
  assert.ok(body, 'NativeCore interface not found in src/engine/native.ts');
  return [...body[1]!.matchAll(/^ {2}(\w+)\(/gm)].map((m) => m[1]!);
}

test('every native export is declared in NativeCore, and every declaration is exported', () => {
  const declared = declaredMethods(fs.readFileSync(path.join(repoRoot, 'src', 'engine', 'native.ts'), 'utf8'));
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
