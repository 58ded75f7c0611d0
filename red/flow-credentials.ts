// Node-RED substitutes `${ENV}` in node properties but not in credentials, so the MQTT broker nodes that
// point at the embedded broker get this process's account written into the credentials file at start.
// `credentialSecret: false` keeps that file plain JSON; it holds only a token re-issued at every start,
// and is written readable by the owner only.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The host a broker node names to mean "the embedded broker". */
// biome-ignore lint/suspicious/noTemplateCurlyInString: a Node-RED ${ENV} reference, matched literally
export const EMBEDDED_BROKER_HOST = '${CITYGAUGE_MQTT_HOST}';

interface FlowNode {
  id: string;
  type: string;
  broker?: string;
}

export function writeBrokerCredentials(
  flowFile: string,
  account: { username: string; token: string },
): number {
  const nodes = JSON.parse(readFileSync(flowFile, 'utf8')) as FlowNode[];
  const credFile = flowFile.replace(/\.json$/, '_cred.json');
  const creds: Record<string, Record<string, string>> = existsSync(credFile)
    ? JSON.parse(readFileSync(credFile, 'utf8'))
    : {};
  let n = 0;
  for (const node of nodes) {
    if (node.type !== 'mqtt-broker' || node.broker !== EMBEDDED_BROKER_HOST) continue;
    creds[node.id] = { ...creds[node.id], user: account.username, password: account.token };
    n++;
  }
  writeFileSync(credFile, `${JSON.stringify(creds, null, 2)}\n`, { mode: 0o600 });
  chmodSync(credFile, 0o600); // `mode` applies only when the file is created

  return n;
}
