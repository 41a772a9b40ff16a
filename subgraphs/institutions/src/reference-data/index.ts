import { searchTextOf, type ReferenceTable } from '@partnership/subgraph-kit';
import { Institution, InstitutionSpecialty, Person } from '../entities';
import { referenceInstitutions } from './institutions';
import { referencePeople } from './people';

/** The article's institutions and people as table rows, parents first. */
export function referenceTables(): ReferenceTable[] {
  const institutions: ReferenceTable<Institution> = {
    entity: Institution,
    key: ['id'],
    // Parents (partOf) come before the units that point at them.
    rows: [...referenceInstitutions]
      .sort((a, b) => Number(a.partOfId !== null) - Number(b.partOfId !== null))
      .map(({ specialties: _specialties, ...institution }) => ({
        ...institution,
        searchText: searchTextOf(institution.name, institution.localName),
        synthetic: false,
        version: 1,
      })),
  };
  const specialties: ReferenceTable<InstitutionSpecialty> = {
    entity: InstitutionSpecialty,
    key: ['institutionId', 'specialty'],
    rows: referenceInstitutions.flatMap((i) => i.specialties.map((specialty) => ({ institutionId: i.id, specialty }))),
  };
  const people: ReferenceTable<Person> = {
    entity: Person,
    key: ['id'],
    rows: referencePeople.map((p) => ({ ...p, email: null, phone: null, searchText: searchTextOf(p.fullName), synthetic: false, version: 1 })),
  };
  return [institutions, specialties, people] as ReferenceTable[];
}
