import { decodeCursor, encodeCursor, pageSize } from '../src/pagination';

describe('cursors and page sizes', () => {
  test('a cursor round-trips any id and is opaque', () => {
    for (const id of ['gustave-roussy', '0b5f1a52-3c0e-4b8e-9a55-1c2d3e4f5a6b']) {
      const cursor = encodeCursor(id);
      expect(cursor).not.toContain(id);
      expect(decodeCursor(cursor)).toBe(id);
    }
  });

  test.each(['', 'not a cursor', 'aWQ6', Buffer.from('other:x').toString('base64url'), 'x'.repeat(201)])('%p is refused', (cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'after' } }));
  });

  test('first defaults to 20 and allows 0 to 100', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(null)).toBe(20);
    expect(pageSize(0)).toBe(0);
    expect(pageSize(100)).toBe(100);
    for (const bad of [-1, 101, 1.5]) expect(() => pageSize(bad)).toThrow(/from 0 to 100/);
  });
});
