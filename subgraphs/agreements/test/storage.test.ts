import { describeStorageContract } from '@partnership/subgraph-kit/testing';
import { agreementsSubgraph } from '../src/definition';

describeStorageContract(agreementsSubgraph);
