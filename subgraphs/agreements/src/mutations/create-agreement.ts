import { randomUUID } from 'node:crypto';
import { partnersOf } from '@partnership/domain';
import {
  badUserInput,
  createOnce,
  earlierCreate,
  isUniqueViolation,
  recordAudit,
  requireEditorRole,
  requireWriter,
  validateNewId,
  type IdempotentCreate,
} from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { Agreement, AgreementArea, AgreementParty, Event } from '../entities';

import { distinctValues, LIMITS, optionalId, optionalText, requiredText } from './input';
import { checkParties, validParties, type PartyField, type PartyInput } from './parties';
import { agreementSnapshot } from './snapshot';

export interface CreateAgreementInput {
  id?: string | null;
  title: string;
  kind: string;
  status?: string | null;
  areas?: string[] | null;
  summary?: string | null;
  eventId?: string | null;
  parties: PartyInput[];
  idempotencyKey?: string | null;
}

type CreateAgreementPayload = { agreement: Agreement };

/** A new agreement cannot start agreed or signed: it gets there through setAgreementStatus, step by step. */
const INITIAL_STATUSES = ['PROPOSED', 'UNDER_DISCUSSION'];

const partyField: PartyField = (i, name) => `input.parties[${i}].${name}`;

export async function createAgreement(input: CreateAgreementInput, context: AgreementsContext): Promise<CreateAgreementPayload> {
  const caller = requireEditorRole(context.caller, 'agreements');
  const id = input.id === null || input.id === undefined ? null : validateNewId(input.id, 'input.id');
  const title = requiredText(input.title, 'input.title', LIMITS.title);
  const status = input.status ?? 'PROPOSED';
  if (!INITIAL_STATUSES.includes(status)) {
    throw badUserInput(
      `input.status must be PROPOSED or UNDER_DISCUSSION: a new agreement cannot start ${status}; move it forward with setAgreementStatus`,
      'input.status',
    );
  }
  const areas = distinctValues(input.areas ?? [], 'input.areas');
  const summary = optionalText(input.summary, 'input.summary', LIMITS.summary);
  const eventId = optionalId(input.eventId, 'input.eventId');
  if (input.parties.length === 0 || input.parties.length > LIMITS.parties) {
    throw badUserInput(`input.parties must list 1 to ${LIMITS.parties} institutions (got ${input.parties.length})`, 'input.parties');
  }
  input.parties.forEach((party, i) => {
    const first = input.parties.findIndex((p) => p.institutionId === party.institutionId);
    if (first !== i) {
      throw badUserInput(
        `input.parties[${i}].institutionId: "${party.institutionId}" is already input.parties[${first}]; list each institution once`,
        `input.parties[${i}].institutionId`,
      );
    }
  });
  const valid = validParties(input.parties, partyField);
  const request: IdempotentCreate<CreateAgreementPayload> = {
    mutation: 'createAgreement',
    what: 'agreement',
    caller,
    idempotencyKey: input.idempotencyKey,
    input: { id, title, kind: input.kind, status, areas, summary, eventId, parties: valid },
    recordId: id ?? randomUUID(),
    replay: async (manager, agreementId) => ({ agreement: await manager.findOneByOrFail(Agreement, { id: agreementId }) }),
  };

  const earlier = await earlierCreate(context.database, request);
  if (earlier !== null) return earlier;
  // Asked before the transaction opens, so no database lock waits on another service.
  const parties = await checkParties(context, valid, partyField);
  requireWriter(caller, partnersOf(parties.map((p) => p.country)), 'The new agreement');

  const agreementId = request.recordId;
  const partyRows: AgreementParty[] = parties.map((party, position) => ({ agreementId, position, ...party }));
  try {
    return await createOnce(context.database, request, async (manager) => {
      if (await manager.existsBy(Agreement, { id: agreementId })) throw idTaken(agreementId);
      const event = eventId === null ? null : await manager.findOneBy(Event, { id: eventId });
      if (eventId !== null && event === null) {
        throw badUserInput(`there is no event with id "${eventId}" (see the events query)`, 'input.eventId');
      }
      // The event's id as stored, never the client's spelling.
      const row: Agreement = {
        id: agreementId,
        title,
        kind: input.kind,
        status,
        signedOn: null,
        concludedOn: null,
        concludedOnLabel: null,
        eventId: event?.id ?? null,
        summary,
        synthetic: false,
        version: 1,
      };
      await manager.insert(Agreement, row);
      if (areas.length > 0)
        await manager.insert(
          AgreementArea,
          areas.map((specialty) => ({ agreementId, specialty })),
        );
      await manager.insert(AgreementParty, partyRows);
      await recordAudit(manager, context, {
        mutation: 'createAgreement',
        recordType: 'Agreement',
        recordId: agreementId,
        before: null,
        after: await agreementSnapshot(manager, row, partyRows),
      });
      return { agreement: row };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw idTaken(agreementId);
    throw err;
  }
}

function idTaken(id: string) {
  return badUserInput(`an agreement with id "${id}" already exists: choose another id, or omit it for a UUID`, 'input.id');
}
