// The entry point (src/pulumi/index.ts) as `pulumi up` runs it: Pulumi config in, stack outputs out.
import * as pulumi from '@pulumi/pulumi';
import { mocks, registered, valueOf } from './mocks';

let program: typeof import('../../src/pulumi/index');

async function registration(type: string): Promise<(typeof registered)[number]> {
  for (let i = 0; i < 500; i++) {
    const found = registered.find((r) => r.type === type);
    if (found !== undefined) {
      return found;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${type} was never registered`);
}

const savedEnv = { STACK_CONFIG: process.env.STACK_CONFIG, STACK_PROFILE: process.env.STACK_PROFILE };

beforeAll(() => {
  pulumi.runtime.setMocks(mocks, 'fl-observability', 'minikube', false);
  pulumi.runtime.setAllConfig({
    'fl-observability:kubeContext': 'fl-test-context',
    'fl-observability:buildImages': 'false',
  });
  delete process.env.STACK_CONFIG;
  process.env.STACK_PROFILE = 'minikube';
  program = require('../../src/pulumi/index') as typeof import('../../src/pulumi/index');
});

afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) {
      delete process.env[key];
    } else {
      process.env[key] = value;
    }
  }
});

test('index.ts exports exactly the outputs of the program function (the Automation API runs the same function)', () => {
  expect(Object.keys(program).sort()).toEqual(
    ['grafanaAdminPassword', 'grafanaAdminPasswordCommand', 'images', 'kubeContext', 'notAwaited', 'portForward', 'profile', 'uiUrls'].sort(),
  );
});

test('the provider uses the kubeContext of the Pulumi config', async () => {
  expect(program.kubeContext).toBe('fl-test-context');
  expect((await registration('pulumi:providers:kubernetes')).inputs.context).toBe('fl-test-context');
});

test('stack outputs: port-forwards, password command, secret password, images', async () => {
  expect(program.profile).toBe('minikube');
  expect(program.portForward.grafana).toBe('kubectl --context fl-test-context -n fl-monitoring port-forward svc/grafana 3000:3000');
  expect(Object.keys(program.portForward).sort()).toEqual(['alertmanager', 'grafana', 'prometheus']);
  // No Ingress in the default config.
  expect(program.uiUrls).toEqual({});
  expect(program.grafanaAdminPasswordCommand).toContain("get secret grafana-admin -o jsonpath='{.data.admin-password}' | base64 -d");
  expect(await pulumi.isSecret(program.grafanaAdminPassword!)).toBe(true);
  expect(await valueOf(program.images.flServer!)).toBe('fl-observability/fl-server:0.1.0');
  expect(Object.keys(program.notAwaited)).toContain('apps/v1 Deployment fl-training/fl-server');
});
