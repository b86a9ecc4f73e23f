import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, DataError } from '../src/util/errors.js';
import { TokenDataset } from '../src/data/token-dataset.js';
import { MlmDataset } from '../src/data/mlm-dataset.js';
import { readUdhr, udhrLanguages } from '../src/data/udhr.js';
import { loadTextDataset, tokenizeDocuments } from '../src/data/text-registry.js';
import { loadTokenizer } from '../src/text/registry.js';

function throwsKind(kind: typeof DataError | typeof ConfigError, fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof kind, `expected ${kind.name}, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `not one line: ${err.message}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('udhr: three declarations as title, preamble and 30 articles each, whitespace cleaned', () => {
  assert.equal(udhrLanguages().length, 532);
  const docs = readUdhr(['eng', 'fra', 'deu_1996']);
  assert.equal(docs.length, 96);
  assert.deepEqual(
    docs.slice(0, 3).map((d) => [d.source, d.group]),
    [
      ['udhr:eng', 'title'],
      ['udhr:eng', 'preamble'],
      ['udhr:eng', 'article 1'],
    ],
  );
  assert.equal(
    docs[2]!.text,
    'Article 1\nAll human beings are born free and equal in dignity and rights. They are endowed with reason and ' +
      'conscience and should act towards one another in a spirit of brotherhood.',
  );
  assert.equal(docs[32]!.source, 'udhr:fra');
  assert.match(docs[34]!.text, /^Article premier\nTous les êtres humains naissent libres et égaux/);
  // Article 11's two numbered paragraphs (list items in the HTML) are two lines.
  assert.equal(docs.find((d) => d.group === 'article 11')!.text.split('\n').length, 3);
  for (const d of docs) assert.doesNotMatch(d.text, /\s\s|^\s|\s$|[^\S\n ]/, `${d.source} ${d.group}`);
  // An ISO 639-3 code with one declaration names it.
  assert.equal(readUdhr(['ces'])[0]!.source, 'udhr:ces');
});

test('udhr sizes in tokens (udhr 6.0.0, with document separators): bytes, gpt2, llama', async () => {
  const sizes: Record<string, Record<string, number>> = {
    bytes: { eng: 10682, fra: 12492, deu_1996: 12106 },
    gpt2: { eng: 2036, fra: 4014, deu_1996: 4566 },
    llama: { eng: 2378, fra: 3358, deu_1996: 3285 },
  };
  for (const [name, expected] of Object.entries(sizes)) {
    const tok = await loadTokenizer(name);
    for (const [lang, count] of Object.entries(expected)) {
      const data = loadTextDataset(`udhr:${lang}`, tok, { seqLen: 64 });
      assert.equal(data.tokenCount, count, `${name} ${lang}`);
      assert.equal(data.documents, 32);
    }
  }
  const bytes = await loadTokenizer('bytes');
  const three = loadTextDataset('udhr:eng,fra,deu_1996', bytes, { seqLen: 64 });
  assert.equal(three.tokenCount, 10682 + 12492 + 12106);
  // 32 groups: 3 for validation, 3 for test, each with all three languages.
  const windows = [three.train.size, three.validation!.size, three.test!.size];
  assert.ok(windows.every((n) => n > 0));
  assert.ok(windows[0]! > 4 * (windows[1]! + windows[2]!));
});

test('documents are framed by BOS and EOS where the vocabulary has them (GPT-2: one token for both)', async () => {
  const doc = [{ text: 'Hi there', group: 'g', source: 'x' }];
  for (const [name, before, after] of [
    ['bytes', [257], [258]],
    ['gpt2', [], [50256]],
    ['llama', [1], [2]],
  ] as const) {
    const tok = await loadTokenizer(name);
    const framed = [...tokenizeDocuments(doc, tok)[0]!.ids];
    assert.deepEqual(framed, [...before, ...tok.encode('Hi there'), ...after], name);
  }
});

test('loadTextDataset: causal and masked-LM data over udhr, and its errors', async () => {
  const bytes = await loadTokenizer('bytes');
  const causal = loadTextDataset('udhr:eng', bytes, { seqLen: 32, seed: 3 });
  assert.ok(causal.train instanceof TokenDataset);
  assert.equal(causal.train.name, 'udhr:eng/train');
  const { x, y } = causal.train.batch(Int32Array.of(0));
  assert.deepEqual([...x.subarray(1)], [...y.subarray(0, 31)]);
  const mlm = loadTextDataset('udhr:eng', bytes, { seqLen: 32, objective: 'mlm', split: { validation: 0 } });
  assert.ok(mlm.train instanceof MlmDataset);
  assert.equal(mlm.validation, undefined);
  const byRange = loadTextDataset('udhr:eng', bytes, { seqLen: 32, split: { by: 'range', test: 0.2 } });
  assert.ok(byRange.test!.size > byRange.validation!.size);

  throwsKind(
    ConfigError,
    () => loadTextDataset('udhr:xyz', bytes, { seqLen: 8 }),
    /no language xyz; the 532 it has: .*\beng\b/,
  );
  throwsKind(
    ConfigError,
    () => loadTextDataset('udhr:deu', bytes, { seqLen: 8 }),
    /2 versions of deu; name one: deu_1901 .*deu_1996/,
  );
  throwsKind(ConfigError, () => loadTextDataset('udhr:', bytes, { seqLen: 8 }), /at least one language/);
  throwsKind(
    ConfigError,
    () => loadTextDataset('wiki:en', bytes, { seqLen: 8 }),
    /unknown text dataset wiki:en; known: udhr:<lang>/,
  );
  const gpt2 = await loadTokenizer('gpt2');
  throwsKind(
    ConfigError,
    () => loadTextDataset('udhr:eng', gpt2, { seqLen: 8, objective: 'mlm' }),
    /gpt2 has no mask token/,
  );
  throwsKind(DataError, () => loadTextDataset('udhr:eng', gpt2, { seqLen: 4096 }), /no window of 4097 tokens/);
});
