#!/usr/bin/env node
// Functions are TypeScript modules; tsx lets the CLI import them without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv);
