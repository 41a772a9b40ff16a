import { describeGatewayOnlyContract } from '@partnership/subgraph-kit/testing';
import { agreementsSubgraph } from '../src/definition';

describeGatewayOnlyContract(agreementsSubgraph, { __typename: 'Agreement', id: 'protocol-surgical-cooperation' });
