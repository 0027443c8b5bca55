/** Fields under `auditd` (Linux audit and SELinux). */
import { f } from '../dsl';

export const auditd = f.group({
});
