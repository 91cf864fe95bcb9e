import { describe, expect, it } from 'vitest';
import { HOME_CREDENTIAL_PATHS, SYSTEM_CREDENTIAL_PATHS } from '../../../src-main/core/sandbox/protectedPaths.js';
import { classify } from './engine.js';

/**
 * Classes found by reading the allow rules as an attacker would (issue #9, held-out cases): each
 * class in several spellings, every one confirmed against the real tool in a throwaway sandbox.
 * None may be allowed; the deny classes deny. The everyday commands beside them stay allowed.
 */
describe('classes found attacking the allow rules', () => {
  it.each([
    // awk: where the rule's tokenizer and awk disagree on whether `/` starts a regular expression,
    // code hides inside what one of them reads as a regex or a comment
    ['awk \'{ if (0) x=1; else /#/; print > "out" }\' f', 'ask'],
    ['awk \'{ if (1) /#/; print | "sh" }\' f', 'ask'],
    ['awk \'{ do /#/; while (0); print > "o" }\' f', 'ask'],
    ['awk \'{ a++ / 2; print > "out"; b = 1 / 1 }\' f', 'ask'],
    ['awk \'{ n-- / 2; print | "sh"; m = 1 / 1 }\' f', 'ask'],
    // awk: assigning ARGV chooses the files awk reads, out of sight of the credential check
    ['awk \'BEGIN{ARGV[1]="/home/" "u/.ss" "h/id_rsa"; ARGC=2} {print}\'', 'ask'],
    ["awk 'BEGIN { ARGV[ARGC++] = \"x\" } 1'", 'ask'],
    // sed: GNU sed ends a label at a blank, and opens `w` files while compiling the script
    ["sed -n ':x w out' f", 'ask'],
    ["sed -n 'b end w out' f", 'ask'],
    ["sed 't x w out' f", 'ask'],
    ["sed -n ':  x w out' f", 'ask'],
    // operands read from standard input or a file, out of sight of every check
    ["printf '%s\\0' x | sort --files0-from=-", 'ask'],
    ['sort --files0-from=list', 'ask'],
    ['sort --files0=list', 'ask'],
    ["printf -- '--\\n.env\\n' | git log -p --stdin", 'ask'],
    ['git show --stdin', 'ask'],
    // globs and file selections a tool applies itself
    ["rg -uu --type-add 'e:*.env' -t e KEY", 'ask'],
    ["rg --type-add 'keys:*.pem' --type keys BEGIN", 'ask'],
    ["git log -p -- ':(top).env'", 'ask'],
    ["git log -p -- ':(icase).ENV'", 'ask'],
    ["git log -p -- ':(top,glob)*.env'", 'ask'],
    ["git grep TOKEN -- ':(top).env'", 'ask'],
    ["git diff HEAD~3 -- ':/.npmrc'", 'ask'],
    // jq modules and data files loaded from the search path (`import … as $x` reads a JSON file)
    ["jq -n -L ~ 'import \".docker/config\" as $c; $c'", 'ask'],
    ["jq -n 'import \"../.docker/config\" as $c; $c'", 'ask'],
    ["jq -n 'include \"x\"; .'", 'ask'],
    ["jq -n '\"x\" | modulemeta'", 'ask'],
    // jq reads `$` and a variable's name as two tokens
    ["jq -n '$ ENV.TOKEN'", 'ask'], ["jq -n '$\tENV | .TOKEN'", 'ask'], ["jq -n '$ # c\nENV'", 'ask'], ["jq -n '\"\\($ ENV)\"'", 'ask'],
    // whole-path secrets through globs bash expands
    ['cat /proc/self/env*', 'ask'], ['cat /proc/self/e?viron', 'ask'], ['cat /proc/[0-9]/environ', 'ask'],
    ['cat /etc/sha*', 'ask'], ['cat /etc/[s]hadow', 'ask'], ['cat /etc/shado?', 'ask'],
    ['cat ~/.config/leas?/config.json', 'ask'], ['cat ~/.con*/leash/settings.json', 'ask'],
    // credential files the table did not know
    ['cat ~/.cargo/credentials.toml', 'ask'], ['cat ~/.cargo/credentials', 'ask'], ['cat ~/.config/git/credentials', 'ask'],
    ['cat ~/.claude/.credentials.json', 'ask'], ['cat ~/.codex/auth.json', 'ask'], ['cat ~/.gem/credentials', 'ask'],
    ['cat ~/.config/composer/auth.json', 'ask'], ['cat ~/.composer/auth.json', 'ask'], ['cat ~/.s3cfg', 'ask'], ['cat ~/.boto', 'ask'],
    ['cat ~/.terraformrc', 'ask'], ['cat ~/.local/share/keyrings/login.keyring', 'ask'], ['cat ~/.local/share/fish/fish_history', 'ask'],
    ['cat /etc/ssh/ssh_host_ed25519_key', 'ask'], ['cat /var/run/secrets/kubernetes.io/serviceaccount/token', 'ask'],
    ['cat /run/secrets/db_password', 'ask'], ['cat terraform.tfstate', 'ask'], ['cat infra/prod.tfstate.backup', 'ask'],
    ['cat ~/.pulumi/credentials.json', 'ask'], ['cat ~/.m2/settings-security.xml', 'ask'], ['head ~/.cargo/cred*', 'ask'],
    // trees named outside the operands: git diff outside the work tree is --no-index, diff's --from-file/--to-file
    ['git diff ~ /tmp/empty', 'ask'], ['git diff --stat /home/u /tmp/empty', 'ask'], ['git diff ../.. x', 'ask'], ['git diff -- / /tmp/x', 'ask'],
    ['diff -r --from-file=/home/u .', 'ask'], ['diff -r --from-file /home/u .', 'ask'], ['diff -rN --to-file=.. .', 'ask'],
    // deleting everything under the root or a home, spelled with find
    ['find / -delete', 'deny'], ['find ~ -mindepth 1 -delete', 'deny'], ['find /home -delete', 'deny'], ['find "$HOME" -depth -delete', 'deny'],
    ['find -P ~/ -xdev -delete', 'deny'], ['find /* -delete', 'deny'], ['nice find /root -maxdepth 9 -delete', 'deny'],
    ['mytool find / -delete', 'deny'], ['timeout 5 find ~ -delete', 'deny'], ["sh -c 'find / -xdev -delete'", 'deny'], ['echo find / -delete', 'allow'],
    ['find . -delete', 'ask'], ["find ~ -name '*.tmp' -delete", 'ask'], ['find /home/u/proj/build -delete', 'ask'],
    // raw disk and memory devices hold every file's bytes
    ['cat /dev/sda', 'ask'], ['grep -a BEGIN /dev/sda1', 'ask'], ['head -c 1000000 /dev/nvme0n1', 'ask'], ['base64 /dev/dm-0', 'ask'],
    ['cat /dev/mapper/root', 'ask'], ['cat /dev/disk/by-uuid/x', 'ask'], ['cat /dev/mem', 'ask'], ['tail -c 100 /dev/vd[a]', 'ask'],
    // version probes that reach the network
    ['terraform -version', 'ask'], ['terraform version', 'ask'],
    // version probes through rustup's proxies, which run what the project's rust-toolchain.toml names
    ['cargo --version', 'ask'], ['rustc -V', 'ask'], ['rustup --version', 'ask'],
    // fork bombs, in any name and spelling
    [':(){ :|:& };:', 'deny'], ['bomb(){ bomb|bomb& };bomb', 'deny'], ['function f { f | f & }; f', 'deny'],
    ['f() { f & f & }; f', 'deny'], ["bash -c ':(){ :|:& };:'", 'deny'], ['b(){ b | b; }; b &', 'deny'],
  ] as const)('judges %j as %s', async (command, verdict) => {
    expect((await classify(command)).verdict).toBe(verdict);
  });

  it.each([
    "awk '{print $1}' a.txt", "awk '!/^#/' f", "awk '{ s += $2 } END { print s / NR }' f", "awk '$1 ~ /x/ {print}' f",
    "awk '{ print ($1 + $2) / 2 }' f", "awk 'NR % 2 == 0' f", "awk '/#/ {n++} END {print n}' f", "awk -F, '{ if ($2 > 3) print $1 }' f",
    "awk '{ a[$1]++ } END { for (k in a) print k, a[k] }' f", "awk '{ x = $1 / $2; print x }' f",
    "sed -n ':a;N;$!ba;p' f", "sed -e :a -e '$q;N;11,$D;ba' f", "sed 's/a/b/g' f",
    'sort -u a b', 'git log -p -- src', "git log -- ':(exclude)dist'", "git log -- ':!*.md'", 'rg -t ts useState', "rg --type-add 'web:*.vue' -t web x",
    'jq . package.json', "jq -r '.dependencies | keys[]' package.json",
    'cat /proc/self/status', 'ls /etc/*', 'cat /etc/host*', 'cat ~/.cargo/config.toml', 'cat Cargo.toml', 'head -c 16 /dev/urandom', 'cat /dev/null', 'ls > /dev/null',
    'git log --oneline | head -5', 'git diff HEAD~1 -- src', 'git diff main..feature', 'diff -r src/a src/b', 'diff -ru --to-file=base a b',
  ])('still allows %j', async (command) => {
    expect((await classify(command)).verdict).toBe('allow');
  });

  it.each([...HOME_CREDENTIAL_PATHS.map((path) => `cat ~/'${path}'`), ...SYSTEM_CREDENTIAL_PATHS.map((path) => `cat '${path}'`)])(
    'asks for %j: every location the sandbox hides is a credential read for the classifier too',
    async (command) => {
      expect((await classify(command)).reasons.map((r) => r.code)).toContain('CREDENTIAL_PATH');
    },
  );

  it.each(['f(){ ls; }; f', 'f(){ g | h & }; f', 'walk(){ [ -d "$1" ] && walk "$1/x"; }; walk a'])('does not take %j for a fork bomb', async (command) => {
    expect((await classify(command)).verdict).toBe('ask');
  });
});
