import { fileURLToPath } from 'node:url';

/** The repository root: handler entries, package-lock.json and the deploy config live here. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
