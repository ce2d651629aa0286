// generate the bench-read events file once and keep it
import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
