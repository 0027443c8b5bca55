/** Fields under `aws.apigateway`. */
import { f } from '../dsl';

export const apigateway = f.group({
});
