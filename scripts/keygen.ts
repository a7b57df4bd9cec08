import { randomBytes } from 'node:crypto';

// Prints a fresh ENCRYPTION_KEYS entry: put it first to rotate, keep old ones after it to decrypt.
process.stdout.write(`k${Date.now().toString(36)}:${randomBytes(32).toString('base64')}\n`);
