import { distinct, optionalText, requiredText } from '../src/text-input';

describe('text inputs', () => {
  test('lengths count characters, not UTF-16 units', () => {
    expect(requiredText('😀'.repeat(300), 'input.name', 300)).toHaveLength(600);
    expect(() => requiredText('😀'.repeat(301), 'input.name', 300)).toThrow(/at most 300 characters \(got 301\)/);
  });

  test('a lone surrogate is refused, a paired one is fine', () => {
    expect(() => requiredText('A\ud800B', 'input.name', 300)).toThrow(expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.name' } }));
    expect(() => optionalText('\udc00', 'input.title', 300)).toThrow(/valid Unicode/);
    expect(requiredText(' Céline 😀 ', 'input.name', 300)).toBe('Céline 😀');
  });

  test('blank optional text is null; a repeat is named by its index', () => {
    expect(optionalText('   ', 'input.city', 120)).toBeNull();
    expect(() => distinct(['A', 'B', 'A'], 'input.areas')).toThrow(
      expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'input.areas[2]' } }),
    );
  });
});
