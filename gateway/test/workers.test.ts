import { availableParallelism } from 'node:os';
import { gatewayWorkersFromEnv } from '../src/config';

describe('GATEWAY_WORKERS', () => {
  test('unset or empty: 1, this process serves alone', () => {
    expect(gatewayWorkersFromEnv({})).toBe(1);
    expect(gatewayWorkersFromEnv({ GATEWAY_WORKERS: '' })).toBe(1);
  });

  test('a number of processes from 1 to 64, or auto: one per core this process may use', () => {
    expect(gatewayWorkersFromEnv({ GATEWAY_WORKERS: '1' })).toBe(1);
    expect(gatewayWorkersFromEnv({ GATEWAY_WORKERS: ' 8 ' })).toBe(8);
    expect(gatewayWorkersFromEnv({ GATEWAY_WORKERS: '64' })).toBe(64);
    expect(gatewayWorkersFromEnv({ GATEWAY_WORKERS: 'auto' })).toBe(Math.min(availableParallelism(), 64));
  });

  test.each(['0', '65', '-2', '1.5', 'many', 'AUTO', '4 workers'])('%s is refused with a message naming the setting', (value) => {
    expect(() => gatewayWorkersFromEnv({ GATEWAY_WORKERS: value })).toThrow(
      `GATEWAY_WORKERS must be a whole number from 1 to 64, or auto for one per core (got "${value}")`,
    );
  });
});
