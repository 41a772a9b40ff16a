import { Institution } from './institution';
import { Mutation } from './mutation';
import { Person } from './person';
import { Query } from './query';

export const resolvers = { Query, Mutation, Institution, Person };
