#!/usr/bin/env node
/**
 * `npm run setup`: registers this app with WSO2 Identity Server 7 or Asgardeo and writes `.env.local`.
 * `npm run setup -- --help` lists the options; README.md ("Using a real WSO2 IS or Asgardeo") and
 * docs/wso2-is.md / docs/asgardeo.md explain it. Errors are printed with their `setup_*` code and a
 * non-zero exit status (2 for usage errors).
 */
import { parseCommandLine, USAGE } from './args.mjs';
import { exitCodeFor, formatError } from './errors.mjs';
import { createPrompter } from './prompts.mjs';
import { runSetup } from './runner.mjs';

/**
 * @param {string[]} argv
 * @returns {Promise<number>} exit status
 */
async function main(argv) {
  const prompts = createPrompter({ input: process.stdin, output: process.stdout });
  try {
    const cmd = parseCommandLine(argv);
    if (cmd.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    await runSetup(cmd.options, { out: process.stdout, prompts });
    return 0;
  } catch (err) {
    process.stderr.write(`\n${formatError(err).join('\n')}\n`);
    return exitCodeFor(err);
  } finally {
    prompts.close();
  }
}

process.on('SIGINT', () => {
  process.stderr.write('\n✖ setup_cancelled: stopped (Ctrl-C). No file was written.\n');
  process.exit(130);
});

process.exitCode = await main(process.argv.slice(2));
