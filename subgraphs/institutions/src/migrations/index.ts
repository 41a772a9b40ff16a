import { CompareIdsExactly1795703000000, CreateAuditTrail1795701000000, CreateIdempotentRequests1795704000000 } from '@partnership/subgraph-kit';
import { CreateInstitutions1795698000000 } from './1795698000000-create-institutions';
import { AddPersonContact1795700000000 } from './1795700000000-add-person-contact';
import { AddRecordVersions1795702000000 } from './1795702000000-add-record-versions';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [
  CreateInstitutions1795698000000,
  AddPersonContact1795700000000,
  CreateAuditTrail1795701000000,
  AddRecordVersions1795702000000,
  CompareIdsExactly1795703000000,
  CreateIdempotentRequests1795704000000,
];
