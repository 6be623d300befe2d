// The profile summary `npm run bench` prints: frames grouped by source, phases counted once per sample.
import { formatProfileSummary, profileTotals, sourceGroup, SYNTH_PHASES, type CpuProfile, type Frame } from '../../src/bench-profile';

test('frames are grouped by our source folder, a component, or the npm package', () => {
  expect(sourceGroup('../src/main.ts')).toBe('src/main.ts');
  expect(sourceGroup('../src/monitoring/collect.ts')).toBe('src/monitoring');
  expect(sourceGroup('../src/components/prometheus/config.ts')).toBe('src/components/prometheus');
  expect(sourceGroup('../node_modules/cdk8s/src/api-object.ts')).toBe('cdk8s');
  expect(sourceGroup('../node_modules/@lezer/lr/dist/index.js')).toBe('@lezer/lr');
  expect(sourceGroup('../node_modules/cdk8s/node_modules/yaml/dist/index.js')).toBe('cdk8s');
});

// A profile whose call frames carry their Frame as JSON in `url` (the reader below).
function profile(stacks: readonly { stack: readonly Frame[]; ms: number }[]): CpuProfile {
  const nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number }; children: number[] }[] = [];
  const root = { id: 1, callFrame: { functionName: '(root)', url: JSON.stringify({ name: '(root)', group: '(root)' }), lineNumber: -1, columnNumber: -1 }, children: [] as number[] };
  nodes.push(root);
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const { stack, ms } of stacks) {
    let parent = root;
    for (const frame of stack) {
      const url = JSON.stringify(frame);
      let child = parent.children.map((id) => nodes[id - 1]).find((n) => n.callFrame.url === url);
      if (child === undefined) {
        child = { id: nodes.length + 1, callFrame: { functionName: frame.name, url, lineNumber: 0, columnNumber: 0 }, children: [] };
        nodes.push(child);
        parent.children.push(child.id);
      }
      parent = child;
    }
    samples.push(parent.id);
    timeDeltas.push(ms * 1000);
  }
  return { nodes, samples, timeDeltas };
}

const readFrame = (cf: { url: string }): Frame => JSON.parse(cf.url) as Frame;

test('a phase counts each sample with its function on the stack once; self time goes to the sampled frame', () => {
  const main: Frame = { name: 'main', group: 'src/main.ts' };
  const synthesize: Frame = { name: 'synthesize', group: 'src/synth.ts' };
  const build: Frame = { name: 'buildStack', group: 'src/stack.ts' };
  const render: Frame = { name: 'renderApp', group: 'src/synth.ts' };
  const toJson: Frame = { name: 'toJson', group: 'cdk8s' };
  const totals = profileTotals(
    profile([
      { stack: [main, synthesize, build, { name: 'Prometheus', group: 'src/components/prometheus' }], ms: 3 },
      { stack: [main, synthesize, render, toJson, { name: 'resolve', group: 'cdk8s' }, toJson], ms: 2 },
      { stack: [{ name: '(garbage collector)', group: '(garbage collector)' }], ms: 1 },
      { stack: [{ name: '(program)', group: '(program)' }], ms: 4 },
    ]),
    readFrame,
    SYNTH_PHASES,
  );
  const phase = (label: string) => totals.phaseMs[SYNTH_PHASES.findIndex((p) => p.label.startsWith(label))];
  expect(totals.totalMs).toBe(10);
  expect(phase('main')).toBe(5);
  expect(phase('synthesize')).toBe(5);
  expect(phase('buildStack')).toBe(3);
  expect(phase('renderApp')).toBe(2);
  expect(phase('ApiObject.toJson')).toBe(2); // toJson twice on one stack: counted once
  expect(phase('loadConfig')).toBe(0);
  expect(phase('garbage collector')).toBe(1);
  expect(Object.fromEntries(totals.selfMs)).toEqual({ 'src/components/prometheus': 3, cdk8s: 2, '(garbage collector)': 1, '(program)': 4 });
  const text = formatProfileSummary([totals], SYNTH_PHASES, 2);
  expect(text).toMatch(/^whole process \(as sampled\) +10\.0 ms$/m);
  expect(text).toMatch(/^ {8}ApiObject\.toJson \(cdk8s resolve\) +2\.0 ms$/m);
  expect(text).toMatch(/^ {2}\(program\) +4\.0 ms\n {2}src\/components\/prometheus +3\.0 ms$/m);
});
