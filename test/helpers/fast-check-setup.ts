/** jest `setupFiles` of the `unit` project: fixed seed and bounded runs for every property (see fuzz.ts). */
import { configureFastCheck } from './fuzz';

configureFastCheck();
