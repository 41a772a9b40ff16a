import { AuditEntry, IdempotentRequest } from '@partnership/subgraph-kit';
import { Institution } from './institution';
import { InstitutionSpecialty } from './institution-specialty';
import { Person } from './person';

export { AuditEntry, Institution, InstitutionSpecialty, Person };

export const entities = [Institution, InstitutionSpecialty, Person, AuditEntry, IdempotentRequest];
