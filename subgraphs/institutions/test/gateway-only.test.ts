import { describeGatewayOnlyContract } from '@partnership/subgraph-kit/testing';
import { institutionsSubgraph } from '../src/definition';

describeGatewayOnlyContract(institutionsSubgraph, { __typename: 'Institution', id: 'gustave-roussy' });
