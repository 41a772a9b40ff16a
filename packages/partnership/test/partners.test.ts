import { asPartnershipCaller, partnersOf, partnershipSdl, PARTNERSHIP_CALLERS, PARTNERS, ROLES } from '../src';

describe('the partnership', () => {
  test('its callers are its partners with its roles', () => {
    expect(PARTNERSHIP_CALLERS).toEqual({ partners: PARTNERS, roles: ROLES });
    expect(asPartnershipCaller({ subject: 'alice', partner: 'FR', roles: ['editor', 'editor'] })).toEqual({
      subject: 'alice',
      partner: 'FR',
      roles: ['editor'],
    });
    expect(asPartnershipCaller({ subject: 'alice', partner: 'DE', roles: ['editor'] })).toBeNull();
    expect(asPartnershipCaller({ subject: 'alice', partner: 'FR', roles: ['root'] })).toBeNull();
  });

  test('partnersOf keeps the partners among countries, in a fixed order', () => {
    expect(partnersOf(['KZ', 'MC', null, 'UZ', 'MC'])).toEqual(['UZ', 'MC']);
    expect(partnersOf(['TR', undefined])).toEqual([]);
  });

  test('its SDL declares Country (every partner among it) and Specialty', () => {
    const sdl = partnershipSdl();
    expect(sdl).toMatch(/enum Country \{/);
    expect(sdl).toMatch(/enum Specialty \{/);
    for (const partner of PARTNERS) expect(sdl).toMatch(new RegExp(`\\n  ${partner}\\n`));
  });
});
