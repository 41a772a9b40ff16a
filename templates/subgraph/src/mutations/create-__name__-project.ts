import { randomUUID } from 'node:crypto';
import { isPartner, partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  earlierCreate,
  isUniqueViolation,
  optionalId,
  recordAudit,
  requireEditorRole,
  requiredText,
  requireWriter,
  validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import type { __Name__Context } from '../context';
import { __Name__Project } from '../entities';

/** The partner that owns this subgraph: the default owner of its records. */
export const OWNER = '__OWNER__';

export interface Create__Name__ProjectInput {
  id?: string | null;
  title: string;
  partner?: string | null;
  leadInstitutionId?: string | null;
  idempotencyKey?: string | null;
}

type Create__Name__ProjectPayload = { __nameCamel__Project: __Name__Project };

/** Records a project; an editor of its partner (or an admin) may. One transaction, one audit entry. */
export async function create__Name__Project(input: Create__Name__ProjectInput, context: __Name__Context): Promise<Create__Name__ProjectPayload> {
  const caller = requireEditorRole(context.caller, '__name__ projects');
  const id = input.id === null || input.id === undefined ? null : validateNewId(input.id, 'input.id');
  const partner = input.partner ?? OWNER;
  if (!isPartner(partner)) throw badUserInput(`input.partner must be a partner code: UZ, FR or MC (got "${partner}")`, 'input.partner');
  const fields = {
    title: requiredText(input.title, 'input.title', 300),
    partner,
    leadInstitutionId: optionalId(input.leadInstitutionId, 'input.leadInstitutionId'),
  };
  requireWriter(caller, partnersOf([partner]), `a __name__ project of ${partner}`);

  const request: IdempotentCreate<Create__Name__ProjectPayload> = {
    mutation: 'create__Name__Project',
    what: '__name__ project',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, ...fields },
    recordId: id ?? randomUUID(),
    replay: async (manager, projectId) => ({ __nameCamel__Project: await manager.findOneByOrFail(__Name__Project, { id: projectId }) }),
  };
  const earlier = await earlierCreate(context.database, request);
  if (earlier !== null) return earlier;
  // To check leadInstitutionId with the institutions subgraph, ask it here, before the transaction:
  // `context.peers.find('institutions', 'Institution', [id], 'country', context.caller)` (see the training subgraph),
  // and add "institutions" to this subgraph's `checksReferencesWith` in subgraphs.json: it then gets INSTITUTIONS_URL,
  // and the Kubernetes NetworkPolicy lets it reach institutions (npm run compose).
  const project: __Name__Project = { id: request.recordId, ...fields };
  try {
    return await createOnce(context.database, request, async (manager) => {
      if (await manager.existsBy(__Name__Project, { id: project.id })) throw idTaken(project.id);
      await manager.insert(__Name__Project, project);
      await recordAudit(manager, context, {
        mutation: 'create__Name__Project',
        recordType: '__Name__Project',
        recordId: project.id,
        before: null,
        after: project,
      });
      return { __nameCamel__Project: project };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw idTaken(project.id);
    throw err;
  }
}

function idTaken(id: string) {
  return badUserInput(`input.id: a __name__ project "${id}" already exists; choose another id or omit it for a UUID`, 'input.id');
}
