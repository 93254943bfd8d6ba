/**
 * A static snapshot of a cycle's public page: `<dir>/index.html` rendered by the same page
 * function the portal serves, its stylesheet and script in `assets/`, the published files in
 * `downloads/`, every link relative, so the folder opens from disk with no server.
 */
import path from 'node:path';
import type { KczgClient } from '../client/api';
import type { Programme } from '../domain/programme';
import { FsFileStore, type FileStore } from '../storage/files';
import { SCRIPT, STYLESHEET } from './assets';
import { publicPage } from './pages/public';
import { publishedFilesIn, publishedListsIn } from './routes/public';

/** The portal's absolute addresses as the snapshot's relative ones. */
function relativeLinks(page: string, programmeId: string): string {
  return page
    .replaceAll('href="/assets/', 'href="assets/')
    .replaceAll('src="/assets/', 'src="assets/')
    .replaceAll(`href="/p/${programmeId}"`, 'href="index.html"');
}

/** Writes the snapshot into `dir` (created); the path of its index.html. */
export async function writePublicSnapshot(args: {
  api: KczgClient;
  files: FileStore;
  programme: Programme;
  cycleId: string;
  dir: string;
}): Promise<string> {
  const { api, files, programme, cycleId, dir } = args;
  const hrefOf = (name: string) => `downloads/${name}`;
  const [status, lists, published] = await Promise.all([
    api.status(cycleId),
    publishedListsIn(files, programme.id, hrefOf),
    publishedFilesIn(files, programme.id, hrefOf),
  ]);
  // Written through a file store: atomic writes, and names that cannot leave the folder.
  const site = new FsFileStore(dir);
  await site.put('assets/portal.css', STYLESHEET);
  await site.put('assets/portal.js', SCRIPT);
  for (const file of published) {
    const content = await files.get(`published/${programme.id}/${file.name}`);
    if (content) await site.put(`downloads/${file.name}`, content);
  }
  await site.put('index.html', relativeLinks(publicPage({ programme, status, lists }), programme.id));
  return path.join(site.root, 'index.html');
}
