import type { SyntheticPlan } from '@partnership/domain';
import { insertRows, searchTextOf, type Database } from '@partnership/subgraph-kit';
import { Institution, InstitutionSpecialty, Person } from './entities';

/** Writes the plan's institutions, their specialties and people, all flagged synthetic, in one transaction. */
export async function loadSyntheticData({ dataSource }: Database, plan: SyntheticPlan): Promise<void> {
  const institutions = plan.institutions.map((i) => {
    const name = `Synthetic Institution ${i.index}`;
    return {
      id: i.id,
      name,
      localName: null,
      kind: 'HOSPITAL',
      status: 'OPERATING',
      country: i.country,
      city: null,
      brand: null,
      description: 'Generated test data.',
      partOfId: null,
      searchText: searchTextOf(name),
      synthetic: true,
    };
  });
  const specialties = plan.institutions.map((i) => ({ institutionId: i.id, specialty: i.specialty }));
  const people = plan.people.map((p) => {
    const fullName = `Synthetic Person ${p.index}`;
    return {
      id: p.id,
      fullName,
      title: null,
      email: `person${p.index}@synthetic.invalid`,
      phone: null,
      institutionId: p.institutionId,
      searchText: searchTextOf(fullName),
      synthetic: true,
    };
  });
  await dataSource.transaction(async (manager) => {
    await insertRows(manager, Institution, institutions);
    await insertRows(manager, InstitutionSpecialty, specialties);
    await insertRows(manager, Person, people);
  });
}
