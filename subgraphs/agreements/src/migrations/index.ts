import { CompareIdsExactly1795703000000, CreateAuditTrail1795701000000, CreateIdempotentRequests1795704000000 } from '@partnership/subgraph-kit';
import { CreateAgreements1795698100000 } from './1795698100000-create-agreements';
import { AddVersions1795701100000 } from './1795701100000-add-versions';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [
  CreateAgreements1795698100000,
  CreateAuditTrail1795701000000,
  AddVersions1795701100000,
  CompareIdsExactly1795703000000,
  CreateIdempotentRequests1795704000000,
];
