/** The people named in the source article, with the roles it gives them. The article names no trainee. */
export interface ReferencePerson {
  id: string;
  fullName: string;
  title: string;
  institutionId: string | null;
}

export const referencePeople: ReferencePerson[] = [
  {
    id: 'asilbek-khudayarov',
    fullName: 'Asilbek Khudayarov',
    title: 'Minister of Health; head of the Uzbek delegation to the forum',
    institutionId: 'uz-ministry-of-health',
  },
  {
    id: 'georges-fabrice-blum',
    fullName: 'Georges-Fabrice Blum',
    title: 'Special Representative for Healthcare',
    institutionId: 'fr-ministry-europe-foreign-affairs',
  },
  { id: 'shavkat-mirziyoyev', fullName: 'Shavkat Mirziyoyev', title: 'President of the Republic of Uzbekistan', institutionId: null },
  {
    id: 'fabrice-barlesi',
    fullName: 'Fabrice Barlesi',
    title: 'Leads the Gustave Roussy delegation planned to visit Uzbekistan',
    institutionId: 'gustave-roussy',
  },
  { id: 'celine-poulet', fullName: 'Céline Poulet', title: 'Secretary-General', institutionId: 'interministerial-center-for-disability' },
  { id: 'patrick-le-dise', fullName: 'Patrick Le Dise', title: 'Director of International Projects', institutionId: 'gustave-roussy' },
];
