import { boundedRedisCalls } from '../src/response-cache';

// A Redis that is connected but silent (hung, paused, overloaded): each cache lookup would wait out the timeout, and a
// request makes several (its answer, its entities, the generation). These pin what the gateway does instead.

const never = () => new Promise<string>(() => {});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function calls(pauseMs: number) {
  const events: string[] = [];
  const bounded = boundedRedisCalls({
    timeoutMs: 20,
    pauseMs,
    failed: (error) => events.push(`failed: ${(error as Error).message}`),
    answered: () => events.push('answered'),
  });
  return { bounded, events };
}

describe('Redis commands bounded in time', () => {
  test('no answer in time gives the fallback, and Redis is not asked again until the pause is over', async () => {
    const { bounded, events } = calls(200);
    let asked = 0;
    const silent = () => {
      asked += 1;
      return never();
    };
    expect(await bounded(silent, 'miss')).toBe('miss');
    expect(events).toEqual(['failed: no answer within 20 ms']);
    // During the pause: the fallback at once, and the command is not even started.
    for (let i = 0; i < 5; i += 1) expect(await bounded(silent, 'miss')).toBe('miss');
    expect(asked).toBe(1);

    await sleep(250);
    expect(await bounded(async () => 'value', 'miss')).toBe('value');
    expect(events).toEqual(['failed: no answer within 20 ms', 'answered']);
  });

  test('an error gives the fallback without a pause: the next command is sent', async () => {
    const { bounded, events } = calls(10_000);
    expect(await bounded(() => Promise.reject(new Error('ECONNREFUSED')), false)).toBe(false);
    expect(await bounded(async () => true, false)).toBe(true);
    expect(events).toEqual(['failed: ECONNREFUSED', 'answered']);
  });
});
