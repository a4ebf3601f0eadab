// Writes dist/source-hash.txt: the SHA-256 of the sources this build was made
// from, so a test on the Go side (web/embed_test.go) can tell when the
// committed dist is older than web/src. Both sides must agree on the recipe:
// every file under src/ plus the build files beside it that exist, named
// relative to web/ with forward slashes, sorted by byte order; for each, the
// hash is fed the path, NUL, the byte length in decimal, NUL, the bytes.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const buildFiles = ['index.html', 'package.json', 'package-lock.json', 'vite.config.ts',
  'tsconfig.json', 'tsconfig.app.json', 'tsconfig.node.json'];

function filesUnder(rel) {
  return readdirSync(join(webDir, rel), { withFileTypes: true }).flatMap((entry) => {
    const path = `${rel}/${entry.name}`;
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const paths = [...filesUnder('src'), ...buildFiles.filter((f) => existsSync(join(webDir, f)))];
paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

const hash = createHash('sha256');
for (const path of paths) {
  const body = readFileSync(join(webDir, path));
  hash.update(`${path}\0${body.length}\0`);
  hash.update(body);
}
const digest = hash.digest('hex');
writeFileSync(join(webDir, 'dist', 'source-hash.txt'), `${digest}\n`);
console.log(`dist/source-hash.txt: ${digest} (${paths.length} files)`);
