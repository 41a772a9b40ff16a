import { describeStorageContract } from '@partnership/subgraph-kit/testing';
import { trainingSubgraph } from '../src/definition';

describeStorageContract(trainingSubgraph);
