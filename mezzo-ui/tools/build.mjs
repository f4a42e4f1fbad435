// Bundles the dashboard for the master's jar: src/app.js (ES modules, importing app.css) with uPlot
// into one script and one stylesheet beside index.html under target/classes/io/mezzo/ui/static/
// (the class path the master serves /ui/ from). No network: everything comes from node_modules.
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'target', 'classes', 'io', 'mezzo', 'ui', 'static');
mkdirSync(out, { recursive: true });
await esbuild.build({
  entryPoints: [join(root, 'src', 'app.js')], // its CSS imports (uPlot's, app.css) become app.css
  outdir: out,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['es2020'],
  logLevel: 'warning',
});
copyFileSync(join(root, 'src', 'index.html'), join(out, 'index.html'));
copyFileSync(join(root, 'src', 'favicon.svg'), join(out, 'favicon.svg'));
