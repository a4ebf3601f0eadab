// Writes dist/source-hash.txt: the hash of the sources this build was made
// from. web/embed_test.go computes the same hash and fails when the
// committed build is older than the sources. The format (each file's path,
// NUL, its length, NUL, its bytes, in path order) must match that test.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('..', import.meta.url).pathname;
const rootFiles = ['index.html', 'package.json', 'package-lock.json', 'vite.config.ts',
  'tsconfig.json', 'tsconfig.app.json', 'tsconfig.node.json'];

function walk(dir) {
  return readdirSync(join(web, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    return statSync(join(web, rel)).isDirectory() ? walk(rel) : [rel];
  });
}

const paths = [...walk('src'), ...rootFiles.filter((f) => existsSync(join(web, f)))];
paths.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
const hash = createHash('sha256');
for (const p of paths) {
  const body = readFileSync(join(web, p));
  hash.update(Buffer.concat([Buffer.from(`${p}\0${body.length}\0`), body]));
}
writeFileSync(join(web, 'dist', 'source-hash.txt'), `${hash.digest('hex')}\n`);
