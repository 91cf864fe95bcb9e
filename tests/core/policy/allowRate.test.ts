import { describe, expect, it } from 'vitest';
import { allowRate, readCommandList } from './allowRate.js';
import { classify, sharedEngine } from './engine.js';

/**
 * Issue #11 item 8: everyday read-only exploration runs without a click (`npm run bench:allowrate`
 * prints the figures and every command that still asks), while each look-alike that writes, runs
 * a program, reaches the network or reads credentials still needs a person.
 */

describe('read-only agent work', () => {
  it('allows at least 80% of the realistic read-only agent commands', async () => {
    const commands = await readCommandList('readOnly');
    expect(commands.length).toBeGreaterThanOrEqual(150);
    expect(allowRate(await sharedEngine(), commands).share).toBeGreaterThanOrEqual(0.8);
  });

  it('allows at least 80% of the peer-safe cases of Codex and VS Code', async () => {
    expect(allowRate(await sharedEngine(), await readCommandList('peerSafe')).share).toBeGreaterThanOrEqual(0.8);
  });

  it.each([
    'sed -i s/a/b/ f', 'sed -ni p f', 'sed -i.bak -e s/a/b/ f', "sed 's/a/b/w /tmp/out' f", "sed '1e id' f", "sed -n 's/x/id/ep' f", "sed 'r ~/.ssh/id_rsa' f", "sed '$!N;w out' f",
    'sort -o out in', 'sort -uoout in', 'sort --out=x in', 'sort --compress-program=sh in', 'sort *',
    'rg --pre sh x', 'rg --pre=./x y', 'rg --pr=sh x', 'rg -z x', 'rg --hostname-bin=x y', 'rg KEY ~', "rg -g '*.pem' BEGIN",
    'fd -x rm', 'fd -X rm', 'fd --exec rm', 'fd --exec-b rm', 'fd -l',
    'tree -o out.txt', 'tree -R', 'tree -ofile',
    'uniq a b', 'uniq *', 'diff -l a b', 'diff -r ~ x', 'file -C -m magic', 'file *',
    "awk 'BEGIN{system(\"rm -rf ~\")}'", "awk '{print | \"sh\"}' f", "awk '{print > \"f\"}' g", "awk '{\"id\" | getline x; print x}' f", "awk 'BEGIN{print ENVIRON[\"AWS_SECRET_ACCESS_KEY\"]}'", "awk '@load \"filefuncs\"'", 'awk -f x.awk f',
    'jq -n env', "jq -n '$ENV'", 'jq . ~/.aws/credentials',
    'git grep -O vim x', 'git grep --open-files-in-pager=vim x', 'git blame --textconv f', 'git config --list', 'git config --get http.https://github.com/.extraheader',
    'git config --get remote.origin.url', 'git config user.name x', 'git remote add x y', 'git remote show origin', 'git stash', 'git stash pop', 'git tag v1', 'git tag -d v1', 'git describe --tags --frob',
    'node -v x.js', 'node --version -e 1', 'python3 -V -c 1', 'cargo --version build', 'go version',
    'cat ~/.ss*', 'ls ~/.ssh', 'du -sh ~/.ssh/*', 'stat ~/.aws/credentials', 'head .env', 'wc -l .env.local',
  ])('does not allow %j', async (command) => {
    expect((await classify(command)).verdict).not.toBe('allow');
  });

  it.each(['ls -d */', 'du -sh *', 'ls *', 'wc -l src/*.ts', 'sort -- *', 'file src/*'])('does not take the plain glob %j for a credential read', async (command) => {
    expect(await classify(command)).toMatchObject({ verdict: 'allow' });
  });
});
