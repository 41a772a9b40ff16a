import { syntheticPlanFromArgs } from '@partnership/domain';
import { runSyntheticCli } from '@partnership/subgraph-kit';
import { agreementsSubgraph } from './definition';

void runSyntheticCli(agreementsSubgraph, syntheticPlanFromArgs);
