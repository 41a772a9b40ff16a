import { __Name__Project } from './__name__-project';
import { Institution } from './institution';
import { Mutation } from './mutation';
import { Query } from './query';

export const resolvers = { Query, Mutation, __Name__Project, Institution };
