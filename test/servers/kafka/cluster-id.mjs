// Prints a fresh KRaft cluster id: 16 random bytes as unpadded base64url, like
// Kafka's Uuid.randomUuid(). Like Kafka, it redraws ids whose text starts with
// '-': kafka-storage's argument parser reads such an id as an option and fails
// with "--cluster-id: expected one argument" (1 run in 64 otherwise).
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export function kraftClusterId(random = randomBytes) {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(kraftClusterId());
}
