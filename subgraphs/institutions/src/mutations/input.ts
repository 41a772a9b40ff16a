import { badUserInput, optionalText } from '@partnership/subgraph-kit';

export { distinct, optionalText, requiredText } from '@partnership/subgraph-kit';

/** Limits of the mutation inputs (and of their columns), shared by the validation and the messages that state them. */
export const LIMITS = {
  institutionName: 300,
  city: 120,
  brand: 200,
  description: 4000,
  /** The person table's full_name column holds 200 characters. */
  fullName: 200,
  title: 300,
  email: 254,
  phone: 40,
} as const;

// One "@", no spaces; a domain of dot-separated labels of letters, digits and inner hyphens, with a top-level label.
const EMAIL_PATTERN = /^[^\s@<>()[\],;:"]+@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+[\p{L}]{2,}$/u;

/** A work e-mail address, or null. */
export function optionalEmail(value: string | null | undefined, field: string): string | null {
  const email = optionalText(value, field, LIMITS.email);
  if (email !== null && !EMAIL_PATTERN.test(email)) {
    throw badUserInput(`${field} must be an e-mail address such as name@example.org (one "@", no spaces, a domain with a dot)`, field);
  }
  return email;
}

const PHONE_PATTERN = /^[0-9 +()-]+$/;

/** A work telephone number, or null. */
export function optionalPhone(value: string | null | undefined, field: string): string | null {
  const phone = optionalText(value, field, LIMITS.phone);
  if (phone !== null && (!PHONE_PATTERN.test(phone) || (phone.match(/[0-9]/g) ?? []).length < 3)) {
    throw badUserInput(`${field} must be a telephone number: digits, spaces and + - ( ) only, at least 3 digits (such as "+33 1 42 11 42 11")`, field);
  }
  return phone;
}

/** A non-nullable field of an update input given as null: omitting it is how to keep the current value. */
export function notNull<T>(value: T | null, field: string): T {
  if (value === null) throw badUserInput(`${field} cannot be null: omit it to keep the current value`, field);
  return value;
}

/** Whether an update input names a field at all (present, even as null) rather than leaving it out. */
export function given<T extends object>(input: T, key: keyof T): boolean {
  return Object.hasOwn(input, key) && input[key] !== undefined;
}
