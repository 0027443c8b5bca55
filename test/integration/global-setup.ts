// Replaced by the services work (scripts/services.sh): checks OpenSearch and moto are reachable.
export default async function globalSetup(): Promise<void> {}
