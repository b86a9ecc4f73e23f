// Render vega-lite specs to SVG + PNG entirely offline (no canvas, no network, no browser).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as vega from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { writeFileAtomic } from '../store/atomic.js';

/** Font stack written into the SVG; DejaVu is what CI installs (fonts-dejavu-core). */
export const FONT_FAMILY = 'DejaVu Sans, sans-serif';

const FONT_DIRS = [
  '/usr/share/fonts/truetype/dejavu', // Debian / Ubuntu
  '/usr/share/fonts/dejavu-sans-fonts', // Fedora
  '/usr/share/fonts/TTF', // Arch
  '/usr/share/fonts/dejavu',
];

let fontFilesCache: string[] | undefined;

/** DejaVu Sans regular + bold (vega draws titles bold), from the first directory that has them. */
function dejaVuFiles(): string[] {
  if (!fontFilesCache) {
    fontFilesCache = [];
    for (const dir of FONT_DIRS) {
      const files = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f)).filter((p) => existsSync(p));
      if (files.length > 0) {
        fontFilesCache = files;
        break;
      }
    }
  }
  return fontFilesCache;
}

/** Defaults under any config the spec brings itself (spec keys win, merged one level deep). */
const BASE_CONFIG: Record<string, unknown> = {
  font: FONT_FAMILY,
  background: 'white',
  padding: 8,
  title: { fontSize: 15, fontWeight: 'bold', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 11, titleFontWeight: 'normal', symbolStrokeWidth: 2.5 },
  view: { stroke: '#bbbbbb' },
};

function withBaseConfig(spec: TopLevelSpec): TopLevelSpec {
  const own = (spec.config ?? {}) as Record<string, unknown>;
  const config: Record<string, unknown> = { ...BASE_CONFIG };
  for (const [key, value] of Object.entries(own)) {
    const base = config[key];
    const bothObjects = isPlainObject(base) && isPlainObject(value);
    config[key] = bothObjects ? { ...base, ...value } : value;
  }
  return { ...spec, config } as TopLevelSpec;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// vega, vega-lite and resvg load on the first plot: together they take longer to load than most commands run.

/** Compile to the vega spec that renderSpec draws (house fonts and styling included). */
export async function compileSpec(spec: TopLevelSpec): Promise<vega.Spec> {
  const { compile } = await import('vega-lite');
  return compile(withBaseConfig(spec)).spec;
}

/**
 * A loader that refuses every URL and file: plots must carry their data inline, and rendering must
 * not touch the network. Vega only logs failed loads, so the refusals are collected and rethrown.
 */
function offlineLoader(refused: string[]): vega.Loader {
  const refuse = (uri: string) => {
    refused.push(uri);
    return Promise.reject(new Error(`plot rendering is offline; refusing to load ${uri}`));
  };
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

export interface RenderOptions {
  /** PNG pixels per SVG unit; 2 gives crisp images on high-DPI screens and in papers. Default 2. */
  scale?: number;
}

export interface RenderedPlot {
  svg: string;
  png: Uint8Array;
}

export async function renderSpec(spec: TopLevelSpec, options: RenderOptions = {}): Promise<RenderedPlot> {
  const [vega, { Resvg }] = await Promise.all([import('vega'), import('@resvg/resvg-js')]);
  const refused: string[] = [];
  const view = new vega.View(vega.parse(await compileSpec(spec)), {
    renderer: 'none',
    loader: offlineLoader(refused),
    logLevel: vega.Error,
  });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  if (refused.length > 0) {
    throw new Error(`plot rendering is offline; the spec must inline its data, but it asked for ${refused.join(', ')}`);
  }
  const fontFiles = dejaVuFiles();
  const resvg = new Resvg(svg, {
    // Without DejaVu on disk, fall back to whatever the system has rather than drawing no text.
    font:
      fontFiles.length > 0
        ? { fontFiles, loadSystemFonts: false, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' }
        : { loadSystemFonts: true },
    fitTo: { mode: 'zoom', value: options.scale ?? 2 },
    logLevel: 'off',
  });
  return { svg, png: resvg.render().asPng() };
}

/** Render `spec` and write `<pathWithoutExt>.svg` and `<pathWithoutExt>.png`, each atomically (directory created). */
export async function writePlot(
  pathWithoutExt: string,
  spec: TopLevelSpec,
  options: RenderOptions = {},
): Promise<{ svgPath: string; pngPath: string }> {
  const { svg, png } = await renderSpec(spec, options);
  const svgPath = `${pathWithoutExt}.svg`;
  const pngPath = `${pathWithoutExt}.png`;
  mkdirSync(dirname(svgPath), { recursive: true });
  writeFileAtomic(svgPath, svg);
  writeFileAtomic(pngPath, png);
  return { svgPath, pngPath };
}
