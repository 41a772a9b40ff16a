import { partialDateOrNull } from '@partnership/subgraph-kit';
import type { TrainingContext } from '../context';
import type { TrainingProgram as TrainingProgramRow } from '../entities';
import { isoDay, programProgress } from '../progress';
import { agreementReference, institutionReference } from './references';

export const TrainingProgram = {
  // Unknown ids resolve to null, so a stale reference from another subgraph yields null rather than an error.
  __resolveReference: ({ id }: { id: string }, { loaders }: TrainingContext) => loaders.program.load(id),
  agreement: (program: TrainingProgramRow) => (program.agreementId === null ? null : agreementReference(program.agreementId)),
  targetDate: (program: TrainingProgramRow) => partialDateOrNull(program.targetDate, program.targetDateLabel),
  startsOn: (program: TrainingProgramRow) => partialDateOrNull(program.startsOn, program.startsOnLabel),
  hostInstitutions: async (program: TrainingProgramRow, _: unknown, { loaders }: TrainingContext) =>
    (await loaders.hostsOfProgram.load(program.id)).map((host) => institutionReference(host.institutionId)),
  cohorts: (program: TrainingProgramRow, _: unknown, { loaders }: TrainingContext) => loaders.cohortsOfProgram.load(program.id),
  progress: async (program: TrainingProgramRow, _: unknown, { loaders, now }: TrainingContext) => {
    const counts = (await loaders.progressCounts.load(program.id)) ?? { planned: 0, enrolled: 0, completed: 0 };
    return programProgress({
      target: program.targetTrainees,
      targetDate: partialDateOrNull(program.targetDate, program.targetDateLabel),
      startsOn: partialDateOrNull(program.startsOn, program.startsOnLabel),
      counts: { planned: counts.planned, enrolled: counts.enrolled, completed: counts.completed },
      today: isoDay(now()),
    });
  },
};
