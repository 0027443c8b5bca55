/** Fields under `aws.lambda`. */
import { f } from '../dsl';

export const lambda = f.group({
});
