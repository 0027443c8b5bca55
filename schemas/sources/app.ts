/** Fields under `app` (application logs). */
import { f } from '../dsl';

export const app = f.group({
});
