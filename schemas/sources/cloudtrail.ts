/** Fields under `aws.cloudtrail`. */
import { f } from '../dsl';

export const cloudtrail = f.group({
});
