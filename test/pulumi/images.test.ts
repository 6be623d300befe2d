import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/loader';
import { builtImageRef, contextDigest, contextFiles, imageBuildSpecs, isIgnored, parseDockerignore, type ImageBuildSpec } from '../../src/pulumi/images';

describe('.dockerignore', () => {
  const rules = parseDockerignore('# comment\n*\n!requirements.txt\n!app/\n**/__pycache__\n**/*.pyc\n');

  test.each([
    ['requirements.txt', false],
    ['app/fl_workload/server.py', false],
    ['app/fl_workload/__pycache__/server.cpython-311.pyc', true],
    ['app/x.pyc', true],
    ['tests/test_server.py', true],
    ['.venv/bin/python', true],
    ['Dockerfile.server', true],
    ['README.md', true],
  ])('%s ignored: %s', (path, ignored) => {
    expect(isIgnored(path, rules)).toBe(ignored);
  });

  test('the FL build context is requirements.txt and the app sources only', () => {
    const files = contextFiles(join(process.cwd(), 'workloads/fl'), rules);
    expect(files).toContain('requirements.txt');
    expect(files.filter((f) => f !== 'requirements.txt').every((f) => f.startsWith('app/') && !f.includes('__pycache__'))).toBe(true);
    expect(files.some((f) => f.startsWith('app/fl_workload/'))).toBe(true);
  });
});

describe('content tag', () => {
  let root: string;
  const spec: ImageBuildSpec = {
    key: 'flServer', context: 'ctx', dockerfile: 'ctx/Dockerfile.server', args: { BASE_IMAGE: 'docker.io/library/python:3.11.13-slim-bookworm' },
    inUse: () => true,
    configPath: ['fl', 'server', 'image'],
  };
  const write = (rel: string, text: string): void => {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fl-ctx-'));
    write('ctx/.dockerignore', '*\n!app/\n');
    write('ctx/Dockerfile.server', 'FROM x\n');
    write('ctx/app/main.py', 'print(1)\n');
    write('ctx/notes.md', 'not sent\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('changes with a sent file, the Dockerfile or a build argument; not with an ignored file', () => {
    const first = contextDigest(spec, root);
    expect(contextDigest(spec, root)).toBe(first);
    write('ctx/notes.md', 'changed, still not sent\n');
    expect(contextDigest(spec, root)).toBe(first);
    write('ctx/app/main.py', 'print(2)\n');
    const second = contextDigest(spec, root);
    expect(second).not.toBe(first);
    write('ctx/Dockerfile.server', 'FROM y\n');
    const third = contextDigest(spec, root);
    expect(third).not.toBe(second);
    expect(contextDigest({ ...spec, args: { BASE_IMAGE: 'other:1' } }, root)).not.toBe(third);
    write('ctx/app/new.py', '\n');
    expect(contextDigest(spec, root)).not.toBe(third);
  });

  test('the image reference keeps the configured repository and tag, plus the digest', () => {
    const config = resolveConfig({ profile: 'minikube', overrides: { fl: { server: { image: 'registry.example.com/team/fl-server:2.0.1' } } } });
    expect(builtImageRef(spec, config, root)).toBe(`registry.example.com/team/fl-server:2.0.1-${contextDigest(spec, root).slice(0, 12)}`);
  });

  test('the repository images are built from their Dockerfiles with the pinned base images', () => {
    const specs = imageBuildSpecs();
    expect(specs.map((s) => [s.key, s.dockerfile])).toEqual([
      ['flServer', 'workloads/fl/Dockerfile.server'],
      ['flClient', 'workloads/fl/Dockerfile.client'],
      ['fluentd', 'images/fluentd/Dockerfile'],
    ]);
    expect(specs[2]!.args).toEqual({ BASE_IMAGE: 'docker.io/fluent/fluentd-kubernetes-daemonset:v1.18.0-debian-forward-1.0', LOKI_PLUGIN_VERSION: '1.2.20' });
    for (const s of specs) {
      expect(contextDigest(s, process.cwd())).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
