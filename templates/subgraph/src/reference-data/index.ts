import type { ReferenceTable } from '@partnership/subgraph-kit';
import { __Name__Project } from '../entities';

/** Facts every instance starts with (loaded, and kept as written, on each start). Replace the example with yours. */
export const referenceProjects: __Name__Project[] = [
  { id: '__name__-example', title: 'Example __name__ project led by Gustave Roussy', partner: '__OWNER__', leadInstitutionId: 'gustave-roussy' },
];

export function referenceTables(): ReferenceTable[] {
  const projects: ReferenceTable<__Name__Project> = { entity: __Name__Project, key: ['id'], rows: referenceProjects };
  return [projects] as ReferenceTable[];
}
