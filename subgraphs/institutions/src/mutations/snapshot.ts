import type { EntityManager } from 'typeorm';
import { InstitutionSpecialty, type Institution, type Person } from '../entities';

/** An institution's specialties as stored, sorted. */
export async function specialtiesOf(manager: EntityManager, institutionId: string): Promise<string[]> {
  return (await manager.find(InstitutionSpecialty, { where: { institutionId }, order: { specialty: 'ASC' } })).map((s) => s.specialty);
}

/** What the audit trail keeps of an institution: every field a client sees, specialties included. */
export function institutionSnapshot(institution: Institution, specialties: string[]) {
  const { searchText: _searchText, ...fields } = institution;
  return { ...fields, specialties: [...specialties].sort() };
}

/** What the audit trail keeps of a person (contact details included: the trail is for admins only). */
export function personSnapshot(person: Person) {
  const { searchText: _searchText, ...fields } = person;
  return fields;
}
