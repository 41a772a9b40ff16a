import { auditTrail, validateId, type PageArgs } from '@partnership/subgraph-kit';
import type { __Name__Context } from '../context';

export const Query = {
  __nameCamel__Project: (_: unknown, { id }: { id: string }, { loaders }: __Name__Context) => loaders.project.load(validateId(id, 'id')),
  __nameCamel__AuditTrail: (_: unknown, args: PageArgs & { recordId?: string | null }, { database }: __Name__Context) => auditTrail(database, args),
};
