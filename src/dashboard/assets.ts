// The files the dashboard serves: a fixed table from URL to file, built once at start. Nothing in a request is
// ever joined into a path, so `..`, encoded slashes and absolute paths find nothing. The page's own files live in
// web/ beside this module's source; vega, vega-lite and vega-embed come from the installed packages (no network).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** The repository (or installed package) root: dist/src/dashboard → three levels up. */
const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The directory of an installed package (its exports may hide package.json, so walk up from its entry point). */
function packageDir(name: string): string {
  let dir = path.dirname(require.resolve(name));
  while (!fs.existsSync(path.join(dir, 'package.json')) || !dir.endsWith(path.join('node_modules', name))) {
    if (dir === path.dirname(dir)) throw new Error(`cannot find the installed package ${name}`);
    dir = path.dirname(dir);
  }
  return dir;
}

export interface Asset {
  file: string;
  type: string;
}

export function dashboardAssets(): Map<string, Asset> {
  const web = path.join(packageRoot, 'src', 'dashboard', 'web');
  const js = 'text/javascript; charset=utf-8';
  return new Map<string, Asset>([
    ['/', { file: path.join(web, 'index.html'), type: 'text/html; charset=utf-8' }],
    ['/app.js', { file: path.join(web, 'app.js'), type: js }],
    ['/plots.js', { file: path.join(web, 'plots.js'), type: js }],
    ['/app.css', { file: path.join(web, 'app.css'), type: 'text/css; charset=utf-8' }],
    ['/vendor/vega.min.js', { file: path.join(packageDir('vega'), 'build', 'vega.min.js'), type: js }],
    ['/vendor/vega-lite.min.js', { file: path.join(packageDir('vega-lite'), 'build', 'vega-lite.min.js'), type: js }],
    [
      '/vendor/vega-embed.min.js',
      { file: path.join(packageDir('vega-embed'), 'build', 'vega-embed.min.js'), type: js },
    ],
  ]);
}
