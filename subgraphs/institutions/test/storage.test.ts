import { describeStorageContract } from '@partnership/subgraph-kit/testing';
import { institutionsSubgraph } from '../src/definition';

describeStorageContract(institutionsSubgraph);
