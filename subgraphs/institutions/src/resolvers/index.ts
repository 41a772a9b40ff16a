import { Institution } from './institution';
import { Person } from './person';
import { Query } from './query';

export const resolvers = { Query, Institution, Person };
