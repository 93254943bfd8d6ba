/**
 * End to end on the Temporal CLI dev server started by the harness: the `kczg` command, spawned
 * as a user runs it, against a real worker and loopback SMTP. The cycle is started three minutes
 * before its real collection deadline (programme time), so the close happens in real time.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beijingToEpochMs } from '../../domain/calendar';
import { dossierFile } from '../support/candidates';
import { CLI, CliRunner, nominateArgs } from '../support/cli';
import { eventually } from '../support/eventually';
import { startTestStack, type TestStack } from '../support/stack';

describe('kczg against the dev server', () => {
  let stack: TestStack;
  const cli = new CliRunner({ address: () => stack.env.address });
  const kczg = (args: string[]) => cli.run(args);
  beforeAll(async () => {
    stack = await startTestStack('dev');
  });
  afterAll(async () => {
    await cli.stopAll();
    await stack?.shutdown();
  });

  it('starts a cycle, takes a nomination, rejects a bad one with exit 2, and closes collection at the deadline', async () => {
    expect(fs.existsSync(CLI)).toBe(true);
    await stack.withWorker(async () => {
      expect(beijingToEpochMs('2023-11-30 23:57')).toBe(Date.parse('2023-11-30T15:57:00Z'));
      const start = await kczg(['cycle', 'start', 'national-2023', '--start-at', '2023-11-30 23:57']);
      expect(start).toMatchObject({ code: 0, json: { cycleId: 'kczg:national-2023', started: true } });
      const again = await kczg(['cycle', 'start', 'national-2023']);
      expect(again.json).toMatchObject({ started: false });

      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kczg-cli-'));
      const candidate = path.join(dir, 'candidate.json');
      fs.writeFileSync(
        candidate,
        JSON.stringify({ name: '端到端技术', identity: 'E2E-1', classified: false }),
      );
      const dossier = [
        '--dossier',
        dossierFile(dir, 'dossier', 'national-2023', 'pioneer-tech', 'electronics'),
      ];
      const accepted = await kczg([
        ...nominateArgs('national-2023', 'cie', 'pioneer-tech/electronics', candidate, 'e2e-1'),
        ...dossier,
      ]);
      expect(accepted).toMatchObject({
        code: 0,
        json: { id: 'cie.1', unitId: 'cie', listId: 'pioneer-tech' },
      });

      const rejected = await kczg(nominateArgs('national-2023', 'cie', 'no-such-list', candidate, 'e2e-2'));
      expect(rejected.code).toBe(2);
      expect(rejected.json).toMatchObject({ error: { code: 'UNKNOWN_LIST', field: 'listId' } });

      const held = await kczg(['mail', 'hold', 'national-2023', 'collection:T-1']);
      expect(held).toMatchObject({ code: 0, json: { heldMailings: ['collection:T-1'] } });
      const released = await kczg(['mail', 'release', 'national-2023', 'collection:T-1']);
      expect(released).toMatchObject({ code: 0, json: { heldMailings: [] } });
      const keys = await kczg(['auth', 'keygen']);
      expect(keys.json).toEqual({ publicKey: expect.any(String), privateKey: expect.any(String) });
      const issued = await new CliRunner().run(['auth', 'issue', 'national-2023', '--party', 'unit:cie'], {
        env: { ...process.env, KCZG_AUTH_PRIVATE_KEY: String(keys.json.privateKey) },
      });
      expect(issued.json).toMatchObject({
        party: 'unit:cie',
        cycle: 'kczg:national-2023',
        credential: expect.stringContaining('.'),
      });
      // A credential for another unit is refused before anything is sent.
      const misdirected = await kczg([
        '--credential',
        issued.json.credential,
        'withdraw',
        'national-2023',
        '--unit',
        'cmes',
        '--nomination',
        'cmes.1',
      ]);
      expect(misdirected).toMatchObject({
        code: 2,
        json: { error: { code: 'NOT_ALLOWED', field: 'credential' } },
      });
      // Programme time started at 23:57 Beijing; collection closes at 24:00, three minutes later.
      await eventually(
        'the close of collection',
        async () => (await kczg(['cycle', 'status', 'national-2023'])).json?.stage === 'preliminary-review',
        { timeoutMs: 240_000, intervalMs: 1_000 },
      );
      const late = await kczg([
        ...nominateArgs('national-2023', 'cie', 'pioneer-tech/electronics', candidate, 'e2e-3'),
        ...dossier,
      ]);
      expect(late).toMatchObject({ code: 2, json: { error: { code: 'COLLECTION_CLOSED' } } });
    });
  }, 420_000);
});
