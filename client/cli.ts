#!/usr/bin/env node
/**
 * `kczg`: the secretariat's, units' and review bodies' command line (the package's bin). The
 * commands live in client/cli/, one file per group; each loads what it needs when it runs.
 */
import { runCli } from './cli/program';

void runCli(process.argv);
