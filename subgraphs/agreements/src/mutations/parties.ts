import { badUserInput, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { LIMITS, optionalId, optionalText } from './input';

export interface PartyInput {
  institutionId: string;
  role?: string | null;
  representativeId?: string | null;
}

/** A party's input, checked in itself (not yet with the institutions subgraph). */
export interface ValidParty {
  institutionId: string;
  role: string | null;
  representativeId: string | null;
}

/** A party ready to store: its institution and representative as the institutions subgraph has them, its country copied from there. */
export interface CheckedParty extends ValidParty {
  country: string;
}

/** Names the input field of party `index` in errors. */
export type PartyField = (index: number, name: string) => string;

/** Validates the parties' ids and roles, before anything is looked up (and before an idempotency key is checked). */
export function validParties(parties: readonly PartyInput[], fieldOf: PartyField): ValidParty[] {
  return parties.map((party, i) => ({
    institutionId: validateId(party.institutionId, fieldOf(i, 'institutionId')),
    role: optionalText(party.role, fieldOf(i, 'role'), LIMITS.role),
    representativeId: optionalId(party.representativeId, fieldOf(i, 'representativeId')),
  }));
}

/**
 * Asks the institutions subgraph, in one request per type, whether the parties' institutions and representatives
 * exist; the ids kept are the ones it returns (as stored there), never the client's spelling. Throws
 * SERVICE_UNAVAILABLE (nothing written) when the institutions subgraph cannot be asked.
 */
export async function checkParties(context: AgreementsContext, parties: readonly ValidParty[], fieldOf: PartyField): Promise<CheckedParty[]> {
  const representativeIds = parties.flatMap((p) => (p.representativeId === null ? [] : [p.representativeId]));
  const [institutions, people] = await Promise.all([
    context.peers.find<{ id: string; country: string }>(
      'institutions',
      'Institution',
      parties.map((p) => p.institutionId),
      'country',
      context.caller,
    ),
    context.peers.find('institutions', 'Person', representativeIds, '', context.caller),
  ]);
  return parties.map((party, i) => {
    const institution = institutions.get(party.institutionId);
    if (institution === undefined) {
      throw badUserInput(
        `there is no institution with id "${party.institutionId}" in the institutions subgraph (ids such as "gustave-roussy")`,
        fieldOf(i, 'institutionId'),
      );
    }
    const representative = party.representativeId === null ? null : people.get(party.representativeId);
    if (representative === undefined) {
      throw badUserInput(
        `there is no person with id "${party.representativeId}" in the institutions subgraph (ids such as "celine-poulet")`,
        fieldOf(i, 'representativeId'),
      );
    }
    return { institutionId: institution.id, role: party.role, representativeId: representative?.id ?? null, country: institution.country };
  });
}
