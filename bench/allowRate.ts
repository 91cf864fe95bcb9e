/**
 * `npm run bench:allowrate`: the share of realistic read-only agent commands Leash allows without
 * a person (tests/core/policy/corpus/readOnly.txt), and of the peer-safe cases reconstructed from
 * Codex's and VS Code's suites (peerSafe.txt). Prints every command that still asks, with why.
 */
import { createPolicyEngine } from '../src-main/core/policy/index.js';
import { allowRate, readCommandList } from '../tests/core/policy/allowRate.js';

const engine = await createPolicyEngine();
for (const name of ['readOnly', 'peerSafe']) {
  const commands = await readCommandList(name);
  const rate = allowRate(engine, commands);
  console.log(`${name}.txt: ${rate.allowed} of ${commands.length} allowed (${(rate.share * 100).toFixed(1)}%)   (goal >= 80%)`);
  for (const { command, verdict, why } of rate.notAllowed) console.log(`  ${verdict.padEnd(4)} ${command}   — ${why}`);
}
