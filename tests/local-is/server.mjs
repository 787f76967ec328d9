#!/usr/bin/env node
// CLI: `npm run local-is` – starts the local WSO2 IS stand-in until SIGINT/SIGTERM.
import { startLocalIs } from './index.mjs';

const is = await startLocalIs({});
const lines = [
  `Local WSO2 IS stand-in running at ${is.origin}`,
  `  discovery (carbon.super): ${is.origin}/oauth2/token/.well-known/openid-configuration`,
  `  discovery (wso2.com):     ${is.origin}/t/wso2.com/oauth2/token/.well-known/openid-configuration`,
  `  issuer: ${is.issuer}`,
  `  TLS certificate to trust: ${is.caCertPath}`,
  `  test control: ${is.testControl ? `on (${is.origin}/__test/...)` : 'off (set LOCAL_IS_TEST_CONTROL=1)'}`,
  '  users:',
  ...Object.entries(is.users).flatMap(([tenant, users]) => users.map((u) => `    [${tenant}] ${u.username} / ${u.password}  (sub ${u.id})`)),
  '  clients (registered in carbon.super and wso2.com):',
  ...is.clients.map((c) => `    ${c.name}: client_id=${c.client_id}${c.client_secret ? ` client_secret=${c.client_secret}` : ' (public, PKCE)'} callback=${c.callback_url}`),
];
console.log(lines.join('\n'));

let stopping = false;
const stop = async (sig) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n[local-is] ${sig}: shutting down`);
  await is.close();
  process.exit(0);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
