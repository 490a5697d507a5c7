// Test helper process: logs with the processes' logger, and once its stdin ends (its parent
// is gone) logs a large line and a second one behind it, then exits. With pino's asynchronous
// stdout the second line waited in a buffer that the exit hook retried forever.
import { processLogger } from '../lifeline.js';

const log = processLogger('logger-child', 'info');
log.info('ready');
process.stdin.on('end', () => {
  log.info({ pad: 'x'.repeat(1 << 20) }, 'stopping');
  log.info('a second line, queued behind the first');
  process.exit(0);
});
process.stdin.resume();
