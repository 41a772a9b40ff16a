import { asCaller, type Caller, type CallerVocabulary } from '@partnership/request-signing';

/** The partners of the federation, by country (ISO 3166-1 alpha-2). */
export const PARTNERS = ['UZ', 'FR', 'MC'] as const;
export type Partner = (typeof PARTNERS)[number];

/**
 * What a caller may do. viewer: read personal data of the partnership; analyst: aggregates and the schema, no
 * personal data; editor: write the records its partner owns; admin: everything.
 */
export const ROLES = ['viewer', 'analyst', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** The partnership's callers, for the request-signing and kit checks that take a vocabulary. */
export const PARTNERSHIP_CALLERS: CallerVocabulary = { partners: PARTNERS, roles: ROLES };

export function isPartner(value: unknown): value is Partner {
  return typeof value === 'string' && (PARTNERS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** A caller of the partnership: well-formed, one of its partners, roles among its roles; null otherwise. */
export function asPartnershipCaller(value: unknown): Caller | null {
  return asCaller(value, PARTNERSHIP_CALLERS);
}

/** The partners among these countries, in a fixed order; other countries (KZ, TR, ...) own nothing: admins only. */
export function partnersOf(countries: Iterable<string | null | undefined>): Partner[] {
  const present = new Set(countries);
  return PARTNERS.filter((partner) => present.has(partner));
}
