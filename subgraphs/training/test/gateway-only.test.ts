import { describeGatewayOnlyContract } from '@partnership/subgraph-kit/testing';
import { trainingSubgraph } from '../src/definition';

describeGatewayOnlyContract(trainingSubgraph, { __typename: 'TrainingProgram', id: 'surgeons-100-by-2030' });
