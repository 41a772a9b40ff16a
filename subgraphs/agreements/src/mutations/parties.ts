import { badUserInput, validateId } from '@partnership/subgraph-kit';
import type { AgreementsContext } from '../context';
import { MAX_ROLE_LENGTH, optionalId, optionalText } from './input';

export interface PartyInput {
  institutionId: string;
  role?: string | null;
  representativeId?: string | null;
}

/** A party ready to store: its institution checked with the institutions subgraph, its country copied from there. */
export interface CheckedParty {
  institutionId: string;
  role: string | null;
  representativeId: string | null;
  country: string;
}

/**
 * Validates parties and asks the institutions subgraph, in one request per type, whether their institutions and
 * representatives exist; `fieldOf(i, name)` names the input field of party i for errors. Throws SERVICE_UNAVAILABLE
 * (nothing written) when the institutions subgraph cannot be asked.
 */
export async function checkParties(
  context: AgreementsContext,
  parties: readonly PartyInput[],
  fieldOf: (index: number, name: string) => string,
): Promise<CheckedParty[]> {
  const valid = parties.map((party, i) => ({
    institutionId: validateId(party.institutionId, fieldOf(i, 'institutionId')),
    role: optionalText(party.role, fieldOf(i, 'role'), MAX_ROLE_LENGTH),
    representativeId: optionalId(party.representativeId, fieldOf(i, 'representativeId')),
  }));
  const representativeIds = valid.flatMap((p) => (p.representativeId === null ? [] : [p.representativeId]));
  const [institutions, people] = await Promise.all([
    context.peers.find<{ id: string; country: string }>('institutions', 'Institution', valid.map((p) => p.institutionId), 'country', context.caller),
    context.peers.find('institutions', 'Person', representativeIds, '', context.caller),
  ]);
  return valid.map((party, i) => {
    const institution = institutions.get(party.institutionId);
    if (institution === undefined) {
      throw badUserInput(`there is no institution with id "${party.institutionId}" in the institutions subgraph (ids such as "gustave-roussy")`, fieldOf(i, 'institutionId'));
    }
    if (party.representativeId !== null && !people.has(party.representativeId)) {
      throw badUserInput(`there is no person with id "${party.representativeId}" in the institutions subgraph (ids such as "celine-poulet")`, fieldOf(i, 'representativeId'));
    }
    return { ...party, country: institution.country };
  });
}
