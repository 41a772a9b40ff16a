import { CompareIdsExactly1795703000000, CreateAuditTrail1795701000000, CreateIdempotentRequests1795704000000 } from '@partnership/subgraph-kit';
import { Create__Name____TIMESTAMP__ } from './__TIMESTAMP__-create-__name__';

/** Every migration of this subgraph, oldest first. Add new ones at the end; never edit an applied one. */
export const migrations = [CreateAuditTrail1795701000000, CompareIdsExactly1795703000000, CreateIdempotentRequests1795704000000, Create__Name____TIMESTAMP__];
