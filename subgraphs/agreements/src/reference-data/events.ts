/**
 * The events named in the source article (UzDaily, French Healthcare & Business Forum, Paris, 19–21 January 2026).
 * Dates are canonical partial dates of their real precision, with the article's wording as label.
 * Participants are ids in the institutions subgraph; people the article does not name are not invented.
 */
export interface ReferenceParticipant {
  institutionId: string | null;
  personId: string | null;
  role: string;
}

export interface ReferenceEvent {
  id: string;
  name: string;
  kind: 'FORUM' | 'STATE_VISIT' | 'DELEGATION_VISIT';
  status: 'HELD' | 'PLANNED';
  startsOn: string | null;
  startsOnLabel: string | null;
  endsOn: string | null;
  endsOnLabel: string | null;
  city: string | null;
  country: string | null;
  summary: string;
  minDelegates: number | null;
  minHealthcareDelegates: number | null;
  /** In the order the article lists them; it adds "and other countries", so the list is not complete. */
  delegateCountries: string[];
  participants: ReferenceParticipant[];
}

export const FORUM_ID = 'french-healthcare-business-forum-2026';
export const STATE_VISIT_ID = 'state-visit-france-2025-03';
export const DELEGATION_VISIT_ID = 'gustave-roussy-delegation-visit-2026-q1';

const UZBEK_INSTITUTION_HEAD = 'head of the institution in the Uzbek delegation';

export const referenceEvents: ReferenceEvent[] = [
  {
    id: FORUM_ID,
    name: 'French Healthcare & Business Forum',
    kind: 'FORUM',
    status: 'HELD',
    startsOn: '2026-01-19',
    startsOnLabel: '19 January 2026',
    endsOn: '2026-01-21',
    endsOnLabel: '21 January 2026',
    city: 'Paris',
    country: 'FR',
    summary:
      'The forum gathered over 300 delegates, including more than 150 representatives from the healthcare sectors of Uzbekistan, ' +
      'Kazakhstan, Turkey, Saudi Arabia, Lebanon, Morocco, Kuwait and other countries. French clinics and companies took part in ' +
      'B2B and B2G negotiations, a platform for business and institutional partnerships. The Uzbek delegation, led by Minister of ' +
      'Health Asilbek Khudayarov, held a series of bilateral meetings and visited several clinics and medical institutions in France.',
    minDelegates: 300,
    minHealthcareDelegates: 150,
    delegateCountries: ['UZ', 'KZ', 'TR', 'SA', 'LB', 'MA', 'KW'],
    participants: [
      { institutionId: 'uz-ministry-of-health', personId: 'asilbek-khudayarov', role: 'head of the Uzbek delegation' },
      { institutionId: 'vakhidov-surgery-center', personId: null, role: UZBEK_INSTITUTION_HEAD },
      { institutionId: 'emergency-medical-care-center', personId: null, role: UZBEK_INSTITUTION_HEAD },
      { institutionId: 'cardiology-center', personId: null, role: UZBEK_INSTITUTION_HEAD },
      { institutionId: 'national-medical-center', personId: null, role: UZBEK_INSTITUTION_HEAD },
      { institutionId: 'blood-transfusion-center', personId: null, role: UZBEK_INSTITUTION_HEAD },
      { institutionId: 'fr-ministry-europe-foreign-affairs', personId: 'georges-fabrice-blum', role: 'bilateral meeting with the Uzbek delegation' },
      { institutionId: 'interministerial-center-for-disability', personId: 'celine-poulet', role: 'bilateral meeting with the Uzbek delegation' },
      { institutionId: 'gustave-roussy', personId: null, role: 'signed the licensing agreement for the Tashkent Oncology Center' },
      { institutionId: 'gustave-roussy', personId: 'patrick-le-dise', role: 'statement on the oncology partnership with Uzbekistan' },
      { institutionId: 'monaco-cardiothoracic-center', personId: null, role: 'bilateral collaboration discussed with the Uzbek delegation' },
    ],
  },
  {
    id: STATE_VISIT_ID,
    name: 'State visit of President Shavkat Mirziyoyev to France',
    kind: 'STATE_VISIT',
    status: 'HELD',
    startsOn: '2025-03',
    startsOnLabel: 'March 2025',
    endsOn: null,
    endsOnLabel: null,
    city: null,
    country: 'FR',
    summary:
      'After this state visit, healthcare cooperation between Uzbekistan and France reached a new level, as Georges-Fabrice Blum, ' +
      'Special Representative for Healthcare of the French Ministry for Europe and Foreign Affairs, highlighted at the forum in January 2026.',
    minDelegates: null,
    minHealthcareDelegates: null,
    delegateCountries: [],
    participants: [{ institutionId: null, personId: 'shavkat-mirziyoyev', role: 'President of Uzbekistan, on a state visit' }],
  },
  {
    id: DELEGATION_VISIT_ID,
    name: 'Visit of a Gustave Roussy delegation to Uzbekistan',
    kind: 'DELEGATION_VISIT',
    status: 'PLANNED',
    startsOn: '2026-Q1',
    startsOnLabel: 'first quarter of 2026',
    endsOn: null,
    endsOnLabel: null,
    city: null,
    country: 'UZ',
    summary:
      'Planned under the licensing agreement for the Tashkent Oncology Center: a Gustave Roussy delegation led by Fabrice Barlesi ' +
      'is to visit Uzbekistan in the first quarter of 2026.',
    minDelegates: null,
    minHealthcareDelegates: null,
    delegateCountries: [],
    participants: [{ institutionId: 'gustave-roussy', personId: 'fabrice-barlesi', role: 'leads the delegation' }],
  },
];
