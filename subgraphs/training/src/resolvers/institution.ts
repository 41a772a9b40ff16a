import type { TrainingContext } from '../context';
import type { Placement as PlacementRow, TrainingProgram as TrainingProgramRow } from '../entities';

/** Institution is owned by the institutions subgraph; this one only adds the training it hosts. */
export const Institution = {
  __resolveReference: (reference: { id: string }) => reference,
  hostedPrograms: async ({ id }: { id: string }, _: unknown, { loaders }: TrainingContext) => {
    const hosts = await loaders.programmesHostedBy.load(id);
    const programmes = await loaders.program.loadMany(hosts.map((h) => h.programId));
    return programmes.filter((p): p is TrainingProgramRow => p !== null && !(p instanceof Error));
  },
  placements: async ({ id }: { id: string }, _: unknown, { loaders }: TrainingContext) => {
    const cohorts = await loaders.cohortsHostedBy.load(id);
    const placements = await loaders.placementsOfCohort.loadMany(cohorts.map((c) => c.id));
    return placements
      .flatMap((list): PlacementRow[] => (list instanceof Error ? [] : list))
      .sort((a, b) => a.id.localeCompare(b.id));
  },
};
