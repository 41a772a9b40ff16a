/**
 * The agreements named in the source article. Status is honest: "signed" only where the article says signed,
 * "agreed" where agreements were reached in talks, "under discussion" where only discussions took place.
 * signedOn stays null: the article gives the forum's dates, not the day of signature.
 */
import { FORUM_ID, STATE_VISIT_ID } from './events';

export interface ReferenceParty {
  institutionId: string;
  /** The institution's country (see AgreementParty.country). */
  country: string;
  role: string | null;
  representativeId: string | null;
}

export interface ReferenceMilestone {
  id: string;
  title: string;
  due: string | null;
  dueLabel: string | null;
  status: 'PLANNED' | 'IN_PROGRESS' | 'DONE' | 'CANCELLED';
}

export interface ReferenceAgreement {
  id: string;
  title: string;
  kind: 'LICENSING_AGREEMENT' | 'PROTOCOL' | 'COOPERATION_AGREEMENT' | 'BILATERAL_COLLABORATION';
  status: 'PROPOSED' | 'UNDER_DISCUSSION' | 'AGREED' | 'SIGNED' | 'ACTIVE' | 'COMPLETED' | 'TERMINATED';
  signedOn: string | null;
  concludedOn: string | null;
  concludedOnLabel: string | null;
  eventId: string | null;
  summary: string;
  areas: string[];
  parties: ReferenceParty[];
  milestones: ReferenceMilestone[];
  relatedEventIds: string[];
}

// The four agreements concluded at the forum: the month is known, the day is not.
const AT_THE_FORUM = { signedOn: null, concludedOn: '2026-01', concludedOnLabel: '19–21 January 2026, French Healthcare & Business Forum', eventId: FORUM_ID };

const UZ_MINISTRY = 'uz-ministry-of-health';

export const referenceAgreements: ReferenceAgreement[] = [
  {
    id: 'gustave-roussy-licensing-agreement',
    title: 'Licensing agreement for the Tashkent Oncology Center under the Gustave Roussy International brand',
    kind: 'LICENSING_AGREEMENT',
    status: 'SIGNED',
    ...AT_THE_FORUM,
    summary:
      'Signed with the management of Gustave Roussy for the creation of the first Tashkent Oncology Center under the Gustave Roussy ' +
      'International brand. The project envisages the implementation of international clinical protocols, regular training with French ' +
      'experts and the advanced professional development of Uzbek specialists in France. Patrick Le Dise, Director of International ' +
      'Projects at Gustave Roussy, said the collaboration opens strategic opportunities for scientific exchange, joint research ' +
      'initiatives and long-term partnership in oncology, and that the project officially launches long-term cooperation offering ' +
      'Uzbekistan European expertise in oncology, vital for developing its healthcare system and improving cancer care.',
    areas: ['ONCOLOGY'],
    parties: [
      { institutionId: UZ_MINISTRY, country: 'UZ', role: 'Uzbek party', representativeId: null },
      { institutionId: 'gustave-roussy', country: 'FR', role: 'licensor', representativeId: null },
      { institutionId: 'tashkent-oncology-center', country: 'UZ', role: 'licensed centre (planned)', representativeId: null },
    ],
    milestones: [
      {
        id: 'gustave-roussy-licensing-agreement-delegation-visit',
        title: 'Visit of a Gustave Roussy delegation led by Fabrice Barlesi to Uzbekistan',
        due: '2026-Q1',
        dueLabel: 'first quarter of 2026',
        status: 'PLANNED',
      },
      {
        id: 'gustave-roussy-licensing-agreement-joint-action-plan',
        title: 'Joint action plan developed',
        due: '2026',
        dueLabel: 'through the end of 2026',
        status: 'PLANNED',
      },
      {
        id: 'gustave-roussy-licensing-agreement-clinical-protocols',
        title: 'International clinical protocols implemented',
        due: null,
        dueLabel: null,
        status: 'PLANNED',
      },
      { id: 'gustave-roussy-licensing-agreement-expert-training', title: 'Regular training with French experts', due: null, dueLabel: null, status: 'PLANNED' },
      {
        id: 'gustave-roussy-licensing-agreement-specialists-in-france',
        title: 'Advanced professional development of Uzbek specialists in France',
        due: null,
        dueLabel: null,
        status: 'PLANNED',
      },
      {
        id: 'gustave-roussy-licensing-agreement-centre-opened',
        title: 'First Tashkent Oncology Center opened under the Gustave Roussy International brand',
        due: null,
        dueLabel: null,
        status: 'PLANNED',
      },
    ],
    relatedEventIds: [],
  },
  {
    id: 'protocol-surgical-cooperation',
    title: 'Protocol on Surgical Cooperation',
    kind: 'PROTOCOL',
    status: 'SIGNED',
    ...AT_THE_FORUM,
    summary:
      'Signed between the Ministry of Health of Uzbekistan, the French Ministry for Europe and Foreign Affairs and the French National ' +
      'Academy of Surgery. It provides for the training of 100 Uzbek surgeons in leading French medical centres by 2030, the first ' +
      'five specialists to study at the Paul Strauss Center in Strasbourg in March 2026.',
    areas: ['SURGERY'],
    parties: [
      { institutionId: UZ_MINISTRY, country: 'UZ', role: 'signatory', representativeId: null },
      { institutionId: 'fr-ministry-europe-foreign-affairs', country: 'FR', role: 'signatory', representativeId: null },
      { institutionId: 'national-academy-of-surgery', country: 'FR', role: 'signatory', representativeId: null },
    ],
    milestones: [
      {
        id: 'protocol-surgical-cooperation-first-five',
        title: 'First five Uzbek surgeons begin training at the Paul Strauss Center, Strasbourg',
        due: '2026-03',
        dueLabel: 'March 2026',
        status: 'PLANNED',
      },
      {
        id: 'protocol-surgical-cooperation-100-surgeons',
        title: '100 Uzbek surgeons trained in leading French medical centres',
        due: '2030',
        dueLabel: 'by 2030',
        status: 'PLANNED',
      },
    ],
    relatedEventIds: [],
  },
  {
    id: 'mfa-healthcare-cooperation',
    title: 'Expanded healthcare cooperation with the French Ministry for Europe and Foreign Affairs',
    kind: 'COOPERATION_AGREEMENT',
    status: 'AGREED',
    ...AT_THE_FORUM,
    summary:
      'In a bilateral meeting with Georges-Fabrice Blum, Special Representative for Healthcare of the French Ministry for Europe and ' +
      'Foreign Affairs, the parties agreed to expand collaboration in oncology, emergency medicine, cardiology, surgery and blood ' +
      'transfusion services. Healthcare cooperation between the two countries reached a new level after President Shavkat ' +
      'Mirziyoyev’s state visit to France in March 2025.',
    areas: ['ONCOLOGY', 'EMERGENCY_MEDICINE', 'CARDIOLOGY', 'SURGERY', 'BLOOD_TRANSFUSION'],
    parties: [
      { institutionId: UZ_MINISTRY, country: 'UZ', role: null, representativeId: null },
      { institutionId: 'fr-ministry-europe-foreign-affairs', country: 'FR', role: null, representativeId: 'georges-fabrice-blum' },
    ],
    milestones: [],
    relatedEventIds: [STATE_VISIT_ID],
  },
  {
    id: 'disability-rehabilitation-cooperation',
    title: 'Cooperation on rehabilitation and social-worker training',
    kind: 'COOPERATION_AGREEMENT',
    status: 'AGREED',
    ...AT_THE_FORUM,
    summary:
      'At a meeting with Céline Poulet, Secretary-General of the Interministerial Center for Disability at the French Prime Minister’s ' +
      'Office, Uzbekistan’s reforms in social assistance for persons with disabilities were presented and French experience was ' +
      'studied. Agreements were reached on cooperation in psychological and medical rehabilitation and on the training of social workers.',
    areas: ['REHABILITATION', 'SOCIAL_WORK'],
    parties: [
      { institutionId: UZ_MINISTRY, country: 'UZ', role: null, representativeId: null },
      { institutionId: 'interministerial-center-for-disability', country: 'FR', role: null, representativeId: 'celine-poulet' },
    ],
    milestones: [],
    relatedEventIds: [],
  },
  {
    id: 'monaco-cardiothoracic-cooperation',
    title: 'Bilateral collaboration with the Monaco Cardiothoracic Center',
    kind: 'BILATERAL_COLLABORATION',
    status: 'UNDER_DISCUSSION',
    // Discussed at the forum; nothing was concluded, so there is no conclusion date.
    signedOn: null,
    concludedOn: null,
    concludedOnLabel: null,
    eventId: FORUM_ID,
    summary:
      'Discussions covered bilateral collaboration with the Monaco Cardiothoracic Center, including specialist exchanges, the sharing ' +
      'of scientific and practical experience, and the potential treatment in Monaco of patients requiring complex cardiac surgery.',
    areas: ['CARDIOLOGY', 'CARDIAC_SURGERY'],
    parties: [
      { institutionId: UZ_MINISTRY, country: 'UZ', role: null, representativeId: null },
      { institutionId: 'monaco-cardiothoracic-center', country: 'MC', role: null, representativeId: null },
    ],
    milestones: [],
    relatedEventIds: [],
  },
];
