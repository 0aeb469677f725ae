import { Command, CommanderError } from 'commander';
import { EXIT, PACKAGE_VERSION, reportCliError } from './cli-context';
import { registerComposeCommands } from './commands/compose-commands';
import { registerEmulatorsCommand } from './commands/emulators-command';
import { registerInspectCommands } from './commands/inspect-commands';
import { registerOfflineCommand } from './commands/offline-command';
import { registerQueueCommands } from './commands/queue-commands';
import { registerRedriveCommand } from './commands/redrive-command';
import { registerRunCommands } from './commands/run-commands';

const EXIT_CODES_HELP = `
Exit codes:
  0    success (long-running commands: stopped cleanly by SIGINT/SIGTERM)
  1    runtime failure (endpoint unreachable, SQS error, shutdown failed)
  2    invalid input (bad option, unknown job, invalid payload, bad configuration, missing queue)
  130  forced exit (second SIGINT/SIGTERM during shutdown)

Configuration comes from the environment and .env; see .env.example.`;

export function buildProgram(): Command {
  const program = new Command('sqs-jobs')
    .description('background jobs on Amazon SQS: workers, local stack and queue tools')
    .version(PACKAGE_VERSION)
    .option('--endpoint <url>', 'SQS endpoint (overrides SQS_ENDPOINT; default: AWS)')
    .option('--prefix <prefix>', 'queue name prefix (overrides QUEUE_PREFIX)')
    .option('--verbose', 'print stack traces on errors')
    .addHelpText('after', EXIT_CODES_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerRunCommands(program);
  registerEmulatorsCommand(program);
  registerOfflineCommand(program);
  registerComposeCommands(program);
  registerInspectCommands(program);
  registerQueueCommands(program);
  registerRedriveCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; commander has already printed usage errors.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    return reportCliError(error, program.opts<{ verbose?: boolean }>().verbose === true);
  }
}

/**
 * The AWS SDK prints a nine-line warning on Node < 22 in every process, even for `--help`. The
 * long-running commands log a one-line note instead (see warnIfOldNode).
 */
export function replaceSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

if (require.main === module) {
  replaceSdkNodeWarning();
  main(process.argv).then(
    (code) => {
      // Long-running commands keep the event loop alive; only one-shot results set the exit code now.
      if (code !== EXIT.ok) process.exit(code);
    },
    (error: unknown) => {
      process.exit(reportCliError(error, true));
    },
  );
}
