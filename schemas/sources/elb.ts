/** Fields under `aws.elb`. */
import { f } from '../dsl';

export const elb = f.group({
});
