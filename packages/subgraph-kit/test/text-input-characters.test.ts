import { optionalText, requiredText } from '../src/text-input';

const refusal = (field: string) => expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field } });

describe('text inputs refuse characters that hide or disguise text', () => {
  test.each([
    ['a NUL', 'Gustave\u0000Roussy', 'U+0000'],
    ['an escape (terminal control)', 'Gustave \u001b[31mRoussy', 'U+001B'],
    ['a carriage return', 'line one\r\nline two', 'U+000D'],
    ['a DEL', 'Roussy\u007f', 'U+007F'],
    ['a C1 control', 'Roussy\u0085x', 'U+0085'],
    ['a right-to-left override', 'invoice\u202Egpj.exe', 'U+202E'],
    ['a left-to-right embedding', 'a\u202Ab', 'U+202A'],
    ['a first-strong isolate', 'a\u2068b\u2069', 'U+2068'],
    ['a pop directional isolate', 'ab\u2069c', 'U+2069'],
  ])('%s is refused with BAD_USER_INPUT naming the field and the character', (_what, text, codePoint) => {
    expect(() => requiredText(text, 'input.name', 300)).toThrow(refusal('input.name'));
    expect(() => optionalText(text, 'input.summary', 300)).toThrow(
      `input.summary must not contain control characters (other than newline and tab) or bidirectional overrides: it holds ${codePoint}`,
    );
  });

  test('newline and tab, accents, Cyrillic, right-to-left scripts and emoji are kept', () => {
    const text = 'Céline Poulet\tТашкент\nمركز 😀';
    expect(requiredText(text, 'input.name', 300)).toBe(text);
    expect(optionalText(`  ${text}  `, 'input.summary', 300)).toBe(text);
  });
});
