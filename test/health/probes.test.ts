import { COMPONENTS, stackProbes, stackTopology } from '../../src/component-list';
import { enabledProbes } from '../../src/health/health';
import { exposedSampleNames, listSome } from '../../src/health/probe';
import { configOf, synthStack } from '../helpers';

test.each(['minikube', 'production'] as const)('every probe reaches a port of a Service the stack synthesizes, in its component (%s)', (profile) => {
  const config = configOf(profile);
  const services = synthStack(config).filter((o) => o.kind === 'Service');
  for (const probe of enabledProbes(config, stackProbes())) {
    const endpoint = probe.endpoint(stackTopology(config), config);
    const service = services.find((s) => s.metadata.name === endpoint.service && s.metadata.namespace === endpoint.namespace);
    expect([probe.component, service?.metadata.labels?.['app.kubernetes.io/name']]).toEqual([probe.component, probe.component]);
    expect([probe.component, service!.spec.ports.map((p: { port: number }) => p.port)]).toEqual([probe.component, expect.arrayContaining([endpoint.port])]);
  }
});

test('one probe per component, and only enabled components are probed', () => {
  const names = stackProbes().map((p) => p.component);
  expect(new Set(names).size).toBe(names.length);
  // The probes of the components a config deploys (the minikube defaults leave some off: MLflow, the site and central ones).
  const deployed = (config: ReturnType<typeof configOf>): string[] => COMPONENTS.filter((c) => c.enabled(config)).flatMap((c) => (c.probes ?? []).map((p) => p.component));
  expect(enabledProbes(configOf(), stackProbes()).map((p) => p.component)).toEqual(deployed(configOf()));
  expect([deployed(configOf()).includes('mlflow'), deployed(configOf('production')).includes('mlflow')]).toEqual([false, true]);
  const some = enabledProbes(configOf('minikube', { grafana: { enabled: false }, fl: { enabled: false } }), stackProbes()).map((p) => p.component);
  expect(some).toEqual(deployed(configOf()).filter((n) => n !== 'grafana' && n !== 'fl-server'));
});

test('sample names of an exposition: comments skipped, labels and values cut', () => {
  const text = '# HELP up x\n# TYPE up gauge\nup 1\nfl_accuracy{job="a"} 0.5\nhisto_bucket{le="+Inf"} 3\n\n';
  expect([...exposedSampleNames(text)]).toEqual(['up', 'fl_accuracy', 'histo_bucket']);
  expect(listSome(['a', 'b', 'c'], 2)).toBe('a, b and 1 more');
});
