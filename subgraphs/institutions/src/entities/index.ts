import { Institution } from './institution';
import { InstitutionSpecialty } from './institution-specialty';
import { Person } from './person';

export { Institution, InstitutionSpecialty, Person };

export const entities = [Institution, InstitutionSpecialty, Person];
