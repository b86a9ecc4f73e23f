import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../src/util/errors.js';
import { loadTokenizer, TOKENIZER_NAMES } from '../src/text/registry.js';

const tmp = mkdtempSync(join(tmpdir(), 'ticketlab-text-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const file = (name: string, content: string): string => {
  const path = join(tmp, name);
  writeFileSync(path, content);
  return path;
};

/** A DataError of one line matching every pattern. */
async function rejectsData(fn: () => unknown, ...patterns: RegExp[]): Promise<void> {
  await assert.rejects(
    async () => fn(),
    (err: unknown) => {
      assert.ok(err instanceof DataError, `expected DataError, got ${String(err)}`);
      assert.ok(!err.message.includes('\n'), `not one line: ${err.message}`);
      for (const p of patterns) assert.match(err.message, p);
      return true;
    },
  );
}

const SAMPLES = [
  '',
  'Hello world',
  'Everyone has the right to life, liberty and security of person.',
  'Tous les êtres humains naissent libres et égaux en dignité et en droits.',
  'Alle Menschen sind frei und gleich an Würde und Rechten geboren.',
  'Все люди рождаются свободными',
  '人人生而自由，在尊严和权利上一律平等。',
  'emoji 🦙🌍 and\ttabs\n\nnewlines  double  spaces ',
  ' leading space and <|endoftext|> <s> [MASK] written out',
];

test('registry: bytes, gpt2 and llama round-trip text exactly', async () => {
  assert.deepEqual(TOKENIZER_NAMES, ['bytes', 'gpt2', 'llama']);
  for (const name of TOKENIZER_NAMES) {
    const tok = await loadTokenizer(name);
    assert.equal(tok.name, name);
    for (const s of SAMPLES) {
      const ids = tok.encode(s);
      assert.ok(ids instanceof Int32Array);
      for (const id of ids) assert.ok(id >= 0 && id < tok.vocabSize, `${name}: id ${id}`);
      assert.equal(tok.decode(ids), s, `${name} round trip of ${JSON.stringify(s)}`);
    }
  }
});

test('bytes: one id per UTF-8 byte, four specials after them', async () => {
  const tok = await loadTokenizer('bytes');
  assert.equal(tok.vocabSize, 260);
  assert.deepEqual({ ...tok.special }, { pad: 256, bos: 257, eos: 258, mask: 259 });
  assert.deepEqual([...tok.encode('Aé🦙')], [65, 0xc3, 0xa9, 0xf0, 0x9f, 0xa6, 0x99]);
  assert.equal(tok.decode([257, 104, 105, 258, 256, 259]), '<bos>hi<eos><pad><mask>');
  assert.equal(tok.tokenString(65), 'A');
  assert.equal(tok.tokenString(10), '\n');
  assert.equal(tok.tokenString(0xc3), '<0xC3>');
  assert.equal(tok.tokenString(0x80), '<0x80>');
  assert.equal(tok.tokenString(259), '<mask>');
  // A window cut inside a character still decodes, with a replacement character.
  assert.equal(tok.decode([0xf0, 0x9f]), '\ufffd');
});

test('gpt2: the ids of GPT-2 (r50k_base)', async () => {
  const tok = await loadTokenizer('gpt2');
  assert.equal(tok.vocabSize, 50257);
  assert.deepEqual({ ...tok.special }, { bos: 50256, eos: 50256 });
  assert.deepEqual([...tok.encode('Hello world')], [15496, 995]);
  // From the test plans gpt-tokenizer ships (data/TestPlans.txt).
  assert.deepEqual([...tok.encode('hello')], [31373]);
  assert.deepEqual([...tok.encode('a a')], [64, 257]);
  assert.deepEqual(
    [...tok.encode('Hello, World! How are you today? 🌍')],
    [15496, 11, 2159, 0, 1374, 389, 345, 1909, 30, 12520, 234, 235],
  );
  assert.equal(tok.decode([15496, 50256, 995]), 'Hello<|endoftext|> world');
  assert.equal(tok.tokenString(995), ' world');
  assert.equal(tok.tokenString(50256), '<|endoftext|>');
  // 🌍 is F0 9F 8C 8D: the first of its tokens is a space and half of it.
  assert.equal(tok.tokenString(12520), ' <0xF0><0x9F>');
  // Decoding a half character twice gives the same answer (the package's own decode would not).
  assert.equal(tok.decode([12520]), tok.decode([12520]));
  assert.equal(tok.decode([12520, 234, 235]), ' 🌍');
});

test('llama: the ids of LLaMA 1/2 (SentencePiece), without the BOS the package adds by default', async () => {
  const tok = await loadTokenizer('llama');
  assert.equal(tok.vocabSize, 32000);
  assert.deepEqual({ ...tok.special }, { unk: 0, bos: 1, eos: 2 });
  // The package's README and runTests cases, each listed there with a leading BOS (1).
  assert.deepEqual([...tok.encode('Hello world!')], [15043, 3186, 29991]);
  assert.deepEqual([...tok.encode('grabbed')], [2646, 1327, 287]);
  assert.deepEqual([...tok.encode(' grabbed')], [29871, 2646, 1327, 287]);
  assert.deepEqual([...tok.encode('\n')], [29871, 13]);
  assert.deepEqual([...tok.encode('ax\n####\nboo')], [4853, 13, 4136, 13, 833, 29877]);
  assert.deepEqual([...tok.encode('🦙')], [29871, 243, 162, 169, 156]);
  assert.equal(tok.decode([1, 15043, 3186, 29991, 2]), '<s>Hello world!</s>');
  assert.equal(tok.tokenString(15043), ' Hello');
  assert.equal(tok.tokenString(13), '\n');
  assert.equal(tok.tokenString(243), '<0xF0>');
  assert.equal(tok.tokenString(0), '<unk>');
});

test('an id outside the vocabulary is one DataError line, for decode and tokenString', async () => {
  for (const name of TOKENIZER_NAMES) {
    const tok = await loadTokenizer(name);
    for (const bad of [tok.vocabSize, -1, 1.5, NaN]) {
      await rejectsData(() => tok.decode([0, bad]), new RegExp(`token id ${bad} \\(position 1\\)`), /vocabulary/);
      await rejectsData(
        () => tok.tokenString(bad),
        new RegExp(`outside the ${name} vocabulary \\[0, ${tok.vocabSize}\\)`),
      );
    }
  }
});

// A tokenizer.json of BPE type, as Hugging Face's tokenizers library writes it (unused parts left out).
const BPE_JSON = {
  added_tokens: [
    { id: 0, content: '<unk>', special: true },
    { id: 1, content: '<s>', special: true },
    { id: 2, content: '</s>', special: true },
    { id: 3, content: '<mask>', special: true },
  ],
  pre_tokenizer: { type: 'Whitespace' },
  decoder: { type: 'Fuse' },
  model: {
    type: 'BPE',
    unk_token: '<unk>',
    vocab: { '<unk>': 0, '<s>': 1, '</s>': 2, '<mask>': 3, a: 4, b: 5, c: 6, ab: 7, abc: 8 },
    merges: ['a b', 'ab c'],
  },
};

test('vocabulary file: a BPE tokenizer.json applies its merges and names its specials', async () => {
  const tok = await loadTokenizer(file('bpe.json', JSON.stringify(BPE_JSON)));
  assert.equal(tok.vocabSize, 9);
  assert.deepEqual({ ...tok.special }, { unk: 0, bos: 1, eos: 2, mask: 3 });
  // Merges in rank order: "a b" first, then "ab c"; "cab" has no "ab c" merge, so it stays c + ab.
  assert.deepEqual([...tok.encode('abc ab cab')], [8, 7, 6, 7]);
  assert.deepEqual([...tok.encode('abd')], [7, 0]);
  assert.equal(tok.decode([1, 8, 7, 2]), '<s>abcab</s>');
  assert.equal(tok.tokenString(8), 'abc');
  assert.equal(tok.tokenString(3), '<mask>');
  await rejectsData(() => tok.decode([9]), /outside the .*bpe\.json vocabulary \[0, 9\)/);
});

test("vocabulary file: one token per line is BERT's WordPiece, uncased unless a token has capitals", async () => {
  const specials = '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n';
  const uncased = await loadTokenizer(file('uncased.txt', `${specials}play\n##ing\n!\n`));
  assert.equal(uncased.vocabSize, 8);
  assert.deepEqual({ ...uncased.special }, { pad: 0, unk: 1, bos: 2, eos: 3, mask: 4 });
  assert.deepEqual([...uncased.encode('Playing zz!')], [5, 6, 1, 7]);
  assert.equal(uncased.decode([2, 5, 6, 3]), '[CLS]playing[SEP]');
  assert.equal(uncased.tokenString(6), '##ing');
  const cased = await loadTokenizer(file('cased.txt', `${specials}Play\nplay\n`));
  assert.deepEqual([...cased.encode('Play play PLAY')], [5, 6, 1]);
  // Windows line ends are fine.
  const crlf = await loadTokenizer(file('crlf.txt', specials.replaceAll('\n', '\r\n') + 'x\r\n'));
  assert.deepEqual([...crlf.encode('x')], [5]);
});

test('a vocabulary file that does not parse is one DataError line naming it', async () => {
  const dir = join(tmp, 'a-directory');
  mkdirSync(dir);
  const cases: [string, string, RegExp][] = [
    ['broken.json', '{"model": {"type": "BPE", ', /broken\.json: not valid JSON/],
    ['list.json', '[1, 2]', /list\.json: not a Hugging Face tokenizer\.json \(the top level is not an object\)/],
    [
      'novocab.json',
      '{"model": {"type": "BPE"}}',
      /novocab\.json: not a Hugging Face tokenizer\.json \(no model\.vocab\)/,
    ],
    ['wordlevel.json', '{"model": {"type": "WordLevel", "vocab": {}}}', /model type WordLevel is not one of BPE/],
    [
      'badmerges.json',
      JSON.stringify({ ...BPE_JSON, model: { ...BPE_JSON.model, merges: 'a b' } }),
      /badmerges\.json: not a usable tokenizer \(/,
    ],
    [
      'empty.json',
      '{"model": {"type": "BPE", "vocab": {}, "merges": []}}',
      /empty\.json: the vocabulary has no tokens/,
    ],
    ['nounk.txt', 'a\nb\n', /nounk\.txt: a one-token-per-line vocabulary needs an \[UNK\] line/],
    ['gap.txt', '[UNK]\n\nb\n', /gap\.txt: line 2 is empty/],
    ['twice.txt', '[UNK]\nb\nb\n', /twice\.txt: line 3 repeats the token b/],
  ];
  for (const [name, content, pattern] of cases) await rejectsData(() => loadTokenizer(file(name, content)), pattern);
  await rejectsData(
    () => loadTokenizer(join(tmp, 'missing.json')),
    /unknown tokenizer .*missing\.json: not one of bytes, gpt2, llama/,
  );
  await rejectsData(
    () => loadTokenizer('gpt3'),
    /unknown tokenizer gpt3: not one of bytes, gpt2, llama, nor a vocabulary file/,
  );
  await rejectsData(() => loadTokenizer(dir), /a-directory is not a file/);
});
