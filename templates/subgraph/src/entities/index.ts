import { AuditEntry, IdempotentRequest } from '@partnership/subgraph-kit';
import { __Name__Project } from './__name__-project';

export { __Name__Project };

export const entities = [__Name__Project, AuditEntry, IdempotentRequest];
