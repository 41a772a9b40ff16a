/**
 * The training programmes and cohorts named in the source article (UzDaily, French Healthcare & Business Forum,
 * Paris, 19–21 January 2026). Only its facts: the article names no trainee, so there are no trainees or placements;
 * the five surgeons due at the Paul Strauss Center in March 2026 are five planned places, not five people.
 */
export interface ReferenceProgramme {
  id: string;
  title: string;
  specialty: string;
  status: 'UNDER_DISCUSSION' | 'PLANNED' | 'ACTIVE' | 'COMPLETED';
  summary: string;
  traineeCountry: string;
  agreementId: string | null;
  targetTrainees: number | null;
  targetDate: string | null;
  targetDateLabel: string | null;
  startsOn: string | null;
  startsOnLabel: string | null;
  hostInstitutionIds: string[];
}

export interface ReferenceCohort {
  id: string;
  programId: string;
  hostInstitutionId: string;
  startsOn: string | null;
  startsOnLabel: string | null;
  plannedSize: number | null;
}

export const referenceProgrammes: ReferenceProgramme[] = [
  {
    id: 'surgeons-100-by-2030',
    title: 'Training of 100 Uzbek surgeons in leading French medical centres',
    specialty: 'SURGERY',
    status: 'PLANNED',
    summary:
      'Provided for by the Protocol on Surgical Cooperation: 100 Uzbek surgeons are to be trained in leading French medical centres by 2030. ' +
      'The first five specialists are scheduled to study at the Paul Strauss Center in Strasbourg in March 2026.',
    traineeCountry: 'UZ',
    agreementId: 'protocol-surgical-cooperation',
    targetTrainees: 100,
    targetDate: '2030',
    targetDateLabel: 'by 2030',
    startsOn: '2026-01',
    startsOnLabel: 'January 2026 (Protocol on Surgical Cooperation signed)',
    hostInstitutionIds: ['paul-strauss-center'],
  },
  {
    id: 'oncology-specialists-france',
    title: 'Advanced professional development of Uzbek oncology specialists in France',
    specialty: 'ONCOLOGY',
    status: 'PLANNED',
    summary:
      'Part of the Tashkent Oncology Center project under the Gustave Roussy International brand: regular training with French experts ' +
      'and advanced professional development of Uzbek specialists in France.',
    traineeCountry: 'UZ',
    agreementId: 'gustave-roussy-licensing-agreement',
    targetTrainees: null,
    targetDate: null,
    targetDateLabel: null,
    startsOn: null,
    startsOnLabel: null,
    // The article names no host institution for this training.
    hostInstitutionIds: [],
  },
  {
    id: 'social-worker-training',
    title: 'Training of social workers',
    specialty: 'SOCIAL_WORK',
    status: 'PLANNED',
    summary: 'Agreed with the Interministerial Center for Disability, alongside cooperation in psychological and medical rehabilitation.',
    traineeCountry: 'UZ',
    agreementId: 'disability-rehabilitation-cooperation',
    targetTrainees: null,
    targetDate: null,
    targetDateLabel: null,
    startsOn: null,
    startsOnLabel: null,
    hostInstitutionIds: [],
  },
  {
    id: 'cardiology-exchange-monaco',
    title: 'Cardiology specialist exchange with the Monaco Cardiothoracic Center',
    specialty: 'CARDIOLOGY',
    status: 'UNDER_DISCUSSION',
    summary:
      'Specialist exchanges and sharing of scientific and practical experience with the Monaco Cardiothoracic Center. ' +
      'The potential treatment in Monaco of patients requiring complex cardiac surgery was also discussed.',
    traineeCountry: 'UZ',
    agreementId: 'monaco-cardiothoracic-cooperation',
    targetTrainees: null,
    targetDate: null,
    targetDateLabel: null,
    startsOn: null,
    startsOnLabel: null,
    hostInstitutionIds: ['monaco-cardiothoracic-center'],
  },
];

export const referenceCohorts: ReferenceCohort[] = [
  {
    id: 'surgeons-2026-03-paul-strauss',
    programId: 'surgeons-100-by-2030',
    hostInstitutionId: 'paul-strauss-center',
    startsOn: '2026-03',
    startsOnLabel: 'March 2026',
    plannedSize: 5,
  },
];
