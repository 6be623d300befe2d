import { lokiConfig } from '../../../src/components/loki/config';
import { resolveConfig } from '../../../src/config/loader';

test('retention really deletes: compactor retention with a delete request store, period from config', () => {
  const c = lokiConfig(resolveConfig({ profile: 'production' })) as Record<string, any>;
  expect(c.compactor).toMatchObject({ retention_enabled: true, delete_request_store: 'filesystem' });
  expect(c.limits_config.retention_period).toBe('30d');
  expect(c.schema_config.configs[0]).toMatchObject({ store: 'tsdb', schema: 'v13', object_store: 'filesystem' });
});
