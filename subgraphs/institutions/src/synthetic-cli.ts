import { syntheticPlanFromArgs } from '@partnership/domain';
import { runSyntheticCli } from '@partnership/subgraph-kit';
import { institutionsSubgraph } from './definition';

void runSyntheticCli(institutionsSubgraph, syntheticPlanFromArgs);
