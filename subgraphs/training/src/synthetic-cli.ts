import { syntheticPlanFromArgs } from '@partnership/domain';
import { runSyntheticCli } from '@partnership/subgraph-kit';
import { trainingSubgraph } from './definition';

void runSyntheticCli(trainingSubgraph, syntheticPlanFromArgs);
