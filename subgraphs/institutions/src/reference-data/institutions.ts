/**
 * The institutions named in the source article (UzDaily, French Healthcare & Business Forum, Paris,
 * 19–21 January 2026). Ids are stable slugs that other subgraphs and clients rely on.
 */
export interface ReferenceInstitution {
  id: string;
  name: string;
  localName: string | null;
  kind: string;
  status: 'OPERATING' | 'PLANNED';
  country: string;
  city: string | null;
  brand: string | null;
  partOfId: string | null;
  specialties: string[];
  description: string;
}

export const referenceInstitutions: ReferenceInstitution[] = [
  // Uzbekistan
  {
    id: 'uz-ministry-of-health',
    name: 'Ministry of Health of the Republic of Uzbekistan',
    localName: 'O‘zbekiston Respublikasi Sog‘liqni saqlash vazirligi',
    kind: 'MINISTRY', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: [],
    description: 'Led the Uzbek delegation to the French Healthcare & Business Forum (Paris, 19–21 January 2026); signatory of the Protocol on Surgical Cooperation.',
  },
  {
    id: 'vakhidov-surgery-center',
    name: 'Republican Specialized Scientific and Practical Medical Center of Surgery named after Academician V. Vakhidov',
    localName: null,
    kind: 'MEDICAL_CENTER', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: ['SURGERY'],
    description: 'Its head was a member of the Uzbek delegation to the forum.',
  },
  {
    id: 'emergency-medical-care-center',
    name: 'Republican Scientific and Practical Center for Emergency Medical Care',
    localName: null,
    kind: 'MEDICAL_CENTER', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: ['EMERGENCY_MEDICINE'],
    description: 'Its head was a member of the Uzbek delegation to the forum.',
  },
  {
    id: 'cardiology-center',
    name: 'Republican Specialized Center of Cardiology',
    localName: null,
    kind: 'MEDICAL_CENTER', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: ['CARDIOLOGY'],
    description: 'Its head was a member of the Uzbek delegation to the forum.',
  },
  {
    id: 'national-medical-center',
    name: 'National Medical Center',
    localName: null,
    kind: 'MEDICAL_CENTER', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: [],
    description: 'Its head was a member of the Uzbek delegation to the forum.',
  },
  {
    id: 'blood-transfusion-center',
    name: 'Republican Blood Transfusion Center',
    localName: null,
    kind: 'MEDICAL_CENTER', status: 'OPERATING', country: 'UZ', city: 'Tashkent', brand: null, partOfId: null, specialties: ['BLOOD_TRANSFUSION'],
    description: 'Its head was a member of the Uzbek delegation to the forum.',
  },
  {
    id: 'tashkent-oncology-center',
    name: 'Tashkent Oncology Center',
    localName: null,
    kind: 'CANCER_CENTER', status: 'PLANNED', country: 'UZ', city: 'Tashkent', brand: 'Gustave Roussy International', partOfId: null, specialties: ['ONCOLOGY'],
    description: 'The first oncology centre in Tashkent under the Gustave Roussy International brand, planned under a licensing agreement with Gustave Roussy.',
  },
  // France
  {
    id: 'fr-ministry-europe-foreign-affairs',
    name: 'Ministry for Europe and Foreign Affairs',
    localName: 'Ministère de l’Europe et des Affaires étrangères',
    kind: 'MINISTRY', status: 'OPERATING', country: 'FR', city: 'Paris', brand: null, partOfId: null, specialties: [],
    description: 'The French Ministry of Foreign Affairs; its Special Representative for Healthcare met the Uzbek delegation. Signatory of the Protocol on Surgical Cooperation.',
  },
  {
    id: 'gustave-roussy',
    name: 'Gustave Roussy',
    localName: 'Gustave Roussy',
    kind: 'CANCER_CENTER', status: 'OPERATING', country: 'FR', city: 'Villejuif', brand: null, partOfId: null, specialties: ['ONCOLOGY'],
    description: 'Gustave Roussy Oncology Center. Signed the licensing agreement for the Tashkent Oncology Center under the Gustave Roussy International brand.',
  },
  {
    id: 'fr-prime-ministers-office',
    name: 'Office of the French Prime Minister',
    localName: 'Services du Premier ministre',
    kind: 'GOVERNMENT_OFFICE', status: 'OPERATING', country: 'FR', city: 'Paris', brand: null, partOfId: null, specialties: [],
    description: 'The Interministerial Center for Disability sits at the Prime Minister’s Office.',
  },
  {
    id: 'interministerial-center-for-disability',
    name: 'Interministerial Center for Disability',
    localName: 'Comité interministériel du handicap',
    kind: 'GOVERNMENT_OFFICE', status: 'OPERATING', country: 'FR', city: 'Paris', brand: null, partOfId: 'fr-prime-ministers-office', specialties: ['REHABILITATION', 'SOCIAL_WORK'],
    description: 'At the French Prime Minister’s Office. Agreed to cooperate with Uzbekistan on psychological and medical rehabilitation and on training social workers.',
  },
  {
    id: 'national-academy-of-surgery',
    name: 'French National Academy of Surgery',
    localName: 'Académie nationale de chirurgie',
    kind: 'ACADEMY', status: 'OPERATING', country: 'FR', city: 'Paris', brand: null, partOfId: null, specialties: ['SURGERY'],
    description: 'Signatory of the Protocol on Surgical Cooperation.',
  },
  {
    id: 'paul-strauss-center',
    name: 'Paul Strauss Center',
    localName: 'Centre Paul Strauss',
    kind: 'CANCER_CENTER', status: 'OPERATING', country: 'FR', city: 'Strasbourg', brand: null, partOfId: null, specialties: ['ONCOLOGY', 'SURGERY'],
    description: 'Leading French medical centre in Strasbourg where the first five Uzbek surgeons are to study from March 2026.',
  },
  // Monaco
  {
    id: 'monaco-cardiothoracic-center',
    name: 'Monaco Cardiothoracic Center',
    localName: 'Centre Cardio-Thoracique de Monaco',
    kind: 'HOSPITAL', status: 'OPERATING', country: 'MC', city: 'Monaco', brand: null, partOfId: null, specialties: ['CARDIOLOGY', 'CARDIAC_SURGERY'],
    description: 'Discussing bilateral collaboration with Uzbekistan: specialist exchanges, sharing of scientific and practical experience, and possible treatment in Monaco of patients who need complex cardiac surgery.',
  },
];
