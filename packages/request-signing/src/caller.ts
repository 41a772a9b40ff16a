/** The partners of the federation, by country (ISO 3166-1 alpha-2). */
export const PARTNERS = ['UZ', 'FR', 'MC'] as const;
export type Partner = (typeof PARTNERS)[number];

/**
 * What a caller may do. viewer: read personal data of the partnership; analyst: aggregates and the schema, no
 * personal data; editor: write the records its partner owns; admin: everything.
 */
export const ROLES = ['viewer', 'analyst', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Who a request acts for, as the gateway verified it from the caller's token. */
export interface Caller {
  subject: string;
  partner: Partner;
  roles: Role[];
}

export function isPartner(value: unknown): value is Partner {
  return typeof value === 'string' && (PARTNERS as readonly string[]).includes(value);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Checks an untrusted value is a well-formed caller (used on both sides of the signature). */
export function asCaller(value: unknown): Caller | null {
  if (typeof value !== 'object' || value === null) return null;
  const { subject, partner, roles } = value as Record<string, unknown>;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) return null;
  if (!isPartner(partner) || !Array.isArray(roles) || roles.length === 0 || !roles.every(isRole)) return null;
  return { subject, partner, roles: [...new Set(roles)] };
}
