/**
 * Where the worker's CPU time goes, from the `.cpuprofile` files `npm run bench -- --profile`
 * writes (one per thread: the worker's main thread and its workflow thread):
 *
 *   node dist/bench/profile-summary.js bench/results/profiles/scale [--top 25] [--bundle dist/workflow-bundle.js]
 *
 * Self time is grouped by area (workflow code by its source module, found through the webpack
 * module markers of the workflow bundle; the SDK; gRPC/protobuf; Node internals; GC; idle) and
 * listed by function.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** Start lines (0-based) of the webpack modules in a workflow bundle. */
function bundleModules(bundlePath: string): Array<{ line: number; name: string }> {
  if (!fs.existsSync(bundlePath)) return [];
  const lines = fs.readFileSync(bundlePath, 'utf8').split('\n');
  const modules: Array<{ line: number; name: string }> = [];
  lines.forEach((text, line) => {
    const match = /^\/\*\*\*\/ "(.+)":?/.exec(text);
    if (match) modules.push({ line, name: match[1] });
  });
  return modules;
}

function moduleAt(modules: Array<{ line: number; name: string }>, line: number): string | undefined {
  let found: string | undefined;
  for (const m of modules) {
    if (m.line > line) break;
    found = m.name;
  }
  return found;
}

function shorten(name: string): string {
  return name
    .replace(/^\.\/dist\//, '')
    .replace(/^\.\/node_modules\//, '')
    .replace(/^.*node_modules\//, '');
}

function area(node: ProfileNode, modules: Array<{ line: number; name: string }>): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (functionName === '(idle)') return '(idle)';
  if (functionName === '(garbage collector)') return '(garbage collector)';
  if (functionName === '(program)' || functionName === '(root)') return '(program: native, V8, libuv)';
  if (/workflow-bundle/.test(url)) {
    const mod = moduleAt(modules, lineNumber);
    return `workflow bundle: ${
      mod
        ? shorten(mod)
            .replace(/\/lib\/.*$/, '')
            .replace(/\.js$/, '')
        : '?'
    }`;
  }
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (!url) return '(native)';
  return shorten(path.relative(process.cwd(), url));
}

export function summariseProfile(file: string, bundlePath: string, top = 25): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const modules = bundleModules(bundlePath);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idle = [...selfUs].reduce(
    (sum, [id, us]) => (byId.get(id)?.callFrame.functionName === '(idle)' ? sum + us : sum),
    0,
  );
  const busy = total - idle;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const a = area(node, modules);
    areas.set(a, (areas.get(a) ?? 0) + us);
    if (a === '(idle)') continue;
    const { functionName, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} — ${a}:${lineNumber + 1}`;
    functions.set(key, (functions.get(key) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / Math.max(busy, 1)).toFixed(1)}%`;
  const sec = (us: number) => `${(us / 1e6).toFixed(2)} s`;
  const lines = [
    `${path.basename(file)}: ${sec(total)} profiled, ${sec(busy)} busy (shares below are of busy time)`,
    '',
    'area | self | share',
    '---|---|---',
    ...[...areas]
      .filter(([a]) => a !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([a, us]) => `${a} | ${sec(us)} | ${pct(us)}`),
    '',
    'function | self | share',
    '---|---|---',
    ...[...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([f, us]) => `${f} | ${sec(us)} | ${pct(us)}`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : undefined;
  };
  const top = Number(flag('--top') ?? 25);
  const bundle = path.resolve(flag('--bundle') ?? path.join(__dirname, '..', 'workflow-bundle.js'));
  const target = args[0];
  if (!target) {
    console.error(
      'usage: node dist/bench/profile-summary.js <profile dir or .cpuprofile> [--top N] [--bundle file]',
    );
    process.exit(2);
  }
  const files = fs.statSync(target).isDirectory()
    ? fs
        .readdirSync(target)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => path.join(target, f))
    : [target];
  for (const file of files) console.log(`${summariseProfile(file, bundle, top)}\n`);
}
