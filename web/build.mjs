// Builds the dashboard into dist/: app.js (bundled, minified), app.css (ours + uPlot's), index.html.
// The server embeds every file under dist/, so dist/ is emptied first and holds exactly these three.
// Usage: node build.mjs            (type-check, then bundle)
//        node build.mjs --no-check (bundle only, for quick iterations)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

if (!process.argv.includes('--no-check')) {
  // tsc is the type checker only; esbuild strips types without checking them.
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await esbuild.build({
  entryPoints: [join(root, 'src/main.ts')],
  outfile: join(dist, 'app.js'),
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});

// uPlot's own stylesheet first, so that ours can override it.
const uplotCss = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
const ours = await esbuild.transform(readFileSync(join(root, 'src/style.css'), 'utf8'), { loader: 'css', minify: true });
writeFileSync(join(dist, 'app.css'), uplotCss.trim() + '\n' + ours.code);

copyFileSync(join(root, 'src/index.html'), join(dist, 'index.html'));
