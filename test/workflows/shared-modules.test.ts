/**
 * The workflow bundle shares kczg's rules across workflows (scripts/bundle-workflows.ts): modules
 * preloaded once per workflow thread are frozen and seen by every workflow, so they must hold no
 * per-workflow state and must not reach Temporal's workflow API. These tests pin which modules are
 * shared and that none of them breaks that rule; every workflow test runs on the shared bundle.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedModulesOf } from '../../scripts/bundle-workflows';
import { DEFAULT_BUNDLE_PATH } from '../../worker/create';

const REPO = path.resolve(__dirname, '..', '..');
const bundlePath = process.env.KCZG_WORKFLOW_BUNDLE ?? DEFAULT_BUNDLE_PATH;

describe('sharedModulesOf', () => {
  it.each([
    [
      'built code: the dist/domain modules, sorted',
      '/***/ "./dist/domain/quota.js":\n/***/ "./dist/workflows/unit/run.js":\n/***/ "./node_modules/luxon/build/node/luxon.js":\n/***/ "./dist/domain/calendar.js":\n',
      [path.join(REPO, 'domain', 'calendar.js'), path.join(REPO, 'domain', 'quota.js')],
    ],
    [
      'TypeScript sources (the test set-up), each module once',
      '/***/ "./domain/forms.ts":\n/***/ "./domain/forms.ts":\n/***/ "./workflows/ids.ts":\n',
      [path.join(REPO, 'domain', 'forms.ts')],
    ],
    [
      'no domain module: nothing shared',
      '/***/ "./workflows/ids.ts":\n/***/ "./node_modules/@temporalio/workflow/lib/index.js":\n',
      [],
    ],
  ])('%s', (_name, code, expected) => {
    // Under jest the script runs from its sources, so the shared paths are the repository's domain/.
    expect(sharedModulesOf(code)).toEqual(expected);
  });
});

describe('the workflow bundle', () => {
  const code = fs.readFileSync(bundlePath, 'utf8');
  const preloadBody =
    /exports\.preloadModules = function preloadModules\(\) \{([\s\S]*?)\n\}/.exec(code)?.[1] ?? '';

  it('preloads every domain module the workflows use', () => {
    const inBundle = sharedModulesOf(code);
    expect(inBundle.length).toBeGreaterThan(10);
    const preloaded = preloadBody.split('\n').filter((line) => line.includes('__webpack_require__'));
    expect(preloaded).toHaveLength(inBundle.length);
    expect(preloadBody).toContain('/domain/calendar.');
  });

  it('shares only modules that never import Temporal (domain/ stays pure)', () => {
    const domainDir = path.join(REPO, 'domain');
    const offenders = fs
      .readdirSync(domainDir)
      .filter((f) => f.endsWith('.ts'))
      .filter((f) =>
        /from '@temporalio\/|require\('@temporalio\//.test(fs.readFileSync(path.join(domainDir, f), 'utf8')),
      );
    expect(offenders).toEqual([]);
  });
});
