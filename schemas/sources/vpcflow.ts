/** Fields under `aws.vpcflow`. */
import { f } from '../dsl';

export const vpcflow = f.group({
});
