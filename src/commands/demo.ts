// `npm run demo`: build the real two-host lab (scenario `correct`), grade it with the failover
// probe over SSH exactly as a student would, and remove the lab again — whatever happens.
import { runCheckCommand } from './check.js';
import { UsageError } from './errors.js';
import { LabError, labDown, labUp } from '../lab/lab.js';

const log = (msg: string) => process.stderr.write(`demo: ${msg}\n`);

async function demo(): Promise<number> {
  const controller = new AbortController();
  const onSignal = () => {
    log('interrupted: restoring the lab and removing it');
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let labMade = false;
  try {
    log('building the lab (two hosts in network namespaces, real sshd, haproxy and keepalived)');
    const lab = await labUp({ scenario: 'correct', onProgress: log });
    labMade = true;
    log(`lab is up; grading it: hagrade check --inventory ${lab.inventoryPath}`);
    const result = await runCheckCommand(
      { inventory: lab.inventoryPath, format: 'pretty', failover: true },
      controller.signal,
    );
    return result.exitCode;
  } catch (e) {
    if (e instanceof LabError || e instanceof UsageError) {
      log(e.message);
      return 2;
    }
    throw e;
  } finally {
    if (labMade) {
      log('removing the lab');
      await labDown().catch((e: Error) => log(`could not remove the lab: ${e.message}; run 'hagrade lab down'`));
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

process.exitCode = await demo();
