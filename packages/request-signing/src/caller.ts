/**
 * Who a request acts for, as the gateway verified it from the caller's token. This package carries the caller
 * and never interprets it: which partners and roles exist is the domain's (`@partnership/domain`), passed in as
 * a `CallerVocabulary` wherever a caller is checked against it.
 */
export interface Caller {
  subject: string;
  /** The caller's organisation, as a code of the vocabulary in use. */
  partner: string;
  /** What the caller may do, as names of the vocabulary in use; never empty, no duplicates. */
  roles: string[];
}

/** The partners and roles a caller may name; the domain package declares the real ones. */
export interface CallerVocabulary {
  partners: readonly string[];
  roles: readonly string[];
}

/**
 * Checks an untrusted value is a well-formed caller (used on both sides of the signature): a subject of 1–200
 * characters, a partner and a non-empty list of roles — each one of the vocabulary's when one is given,
 * otherwise any non-empty string.
 */
export function asCaller(value: unknown, vocabulary?: CallerVocabulary): Caller | null {
  if (typeof value !== 'object' || value === null) return null;
  const { subject, partner, roles } = value as Record<string, unknown>;
  if (typeof subject !== 'string' || subject.length === 0 || subject.length > 200) return null;
  if (!isName(partner, vocabulary?.partners) || !Array.isArray(roles) || roles.length === 0) return null;
  if (!roles.every((role) => isName(role, vocabulary?.roles))) return null;
  return { subject, partner, roles: [...new Set(roles as string[])] };
}

function isName(value: unknown, allowed: readonly string[] | undefined): value is string {
  return typeof value === 'string' && value.length > 0 && (allowed === undefined || allowed.includes(value));
}
