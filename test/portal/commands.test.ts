/**
 * The portal's commands as a user runs them (built CLI): `kczg link issue` prints a sign-in link
 * whose credential verifies for that party and cycle; `kczg serve` refuses to start without a
 * proper secret, before it connects anywhere.
 */
import { generateAuthKeyPair } from '../../client/credentials';
import { checkCredential } from '../../domain/credentials';
import { CliRunner } from '../support/cli';

describe('kczg link issue and kczg serve', () => {
  const cli = new CliRunner();
  const keys = generateAuthKeyPair();
  afterAll(() => cli.stopAll());

  it('prints a sign-in link for one party of one cycle, valid for the hours asked', async () => {
    const env = {
      ...process.env,
      KCZG_AUTH_PRIVATE_KEY: keys.privateKey,
      KCZG_PORTAL_URL: 'https://kczg.example.org',
    };
    const before = Date.now();
    const issued = await cli.ok(
      ['link', 'issue', '--party', 'unit:cie', '--cycle', 'national-2023', '--hours', '24'],
      {
        env,
      },
    );
    const url = new URL(issued.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://kczg.example.org/signin');
    expect(issued).toMatchObject({ party: 'unit:cie', cycle: 'kczg:national-2023' });
    expect(issued.expiresAt).toMatch(/\+08:00$/);
    const check = (now: number) =>
      checkCredential({
        token: url.searchParams.get('token'),
        publicKey: keys.publicKey,
        cycle: 'kczg:national-2023',
        allowed: [{ kind: 'unit', id: 'cie' }],
        now,
      });
    expect(check(before + 23 * 3_600_000)).toBeUndefined();
    expect(check(Date.now() + 24 * 3_600_000)).toMatchObject({ code: 'NOT_ALLOWED' });
  });

  it('refuses an unknown party, a missing key and a missing portal secret with exit 2', async () => {
    const noKey = { ...process.env, KCZG_AUTH_PRIVATE_KEY: '' };
    const party = await cli.run(['link', 'issue', '--party', 'mayor', '--cycle', 'national-2023'], {
      env: { ...noKey, KCZG_AUTH_PRIVATE_KEY: keys.privateKey },
    });
    expect(party.code).toBe(2);
    expect(party.json.error).toMatchObject({ code: 'INVALID', field: 'party' });
    const key = await cli.run(['link', 'issue', '--party', 'unit:cie', '--cycle', 'national-2023'], {
      env: noKey,
    });
    expect(key.code).toBe(2);
    expect(key.json.error).toMatchObject({ field: 'KCZG_AUTH_PRIVATE_KEY' });
    const serve = await cli.run(['--address', '127.0.0.1:1', 'serve', '--port', '0'], {
      env: { ...process.env, KCZG_PORTAL_SECRET: 'short' },
    });
    expect(serve.code).toBe(2);
    expect(serve.json.error).toMatchObject({ code: 'INVALID', field: 'KCZG_PORTAL_SECRET' });
  });
});
