// The bare aedes baseline: `net.createServer(aedes.handle)`, as a new user would run it.
import { createServer } from 'node:net';
import { Aedes } from 'aedes';

const port = Number(process.argv[2]);
const broker = await Aedes.createBroker();
createServer(broker.handle).listen(port, '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('uncaughtException', (err) => {
  process.stderr.write(`bare aedes crashed: ${err.message}\n`);
  process.exit(3);
});
