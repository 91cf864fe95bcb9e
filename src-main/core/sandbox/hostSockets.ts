import { isAbsolute } from 'node:path';

/**
 * Unix sockets (and the directories holding them) through which a process could ask a service
 * outside the sandbox to run something for it: the user's session bus and systemd instance
 * (`systemd-run --user`), the system bus, systemd's private socket (uid 0 may start units), the
 * container engines, snapd, and the user's ssh and gpg agents (which sign with keys the sandbox
 * hides). A read-only filesystem does not stop `connect()`, so these are covered in every sandbox.
 *
 * Abstract sockets are not files: they are per network namespace, so only a sandbox with its own
 * network namespace is cut off from them.
 */
export function hostControlSockets(env: NodeJS.ProcessEnv = process.env, uid: number = currentUid()): string[] {
  const paths = [
    '/run/dbus',
    '/var/run/dbus',
    '/run/systemd/private',
    '/run/systemd/io.systemd.Machine',
    '/run/docker.sock',
    '/var/run/docker.sock',
    '/run/containerd',
    '/run/podman',
    '/run/libvirt',
    '/run/snapd.socket',
    '/run/snapd-snap.socket',
  ];
  if (uid >= 0) paths.push(`/run/user/${uid}`);
  for (const name of ['XDG_RUNTIME_DIR', 'SSH_AUTH_SOCK', 'DBUS_SESSION_BUS_ADDRESS', 'GPG_AGENT_INFO', 'DOCKER_HOST']) {
    const path = socketPath(env[name]);
    if (path) paths.push(path);
  }
  return paths;
}

/** A filesystem path named by a variable (`unix:path=/run/…,guid=…`, `unix:///…`, `/…:pid:1`). */
function socketPath(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const candidate =
    /(?:^|[,;])unix:path=([^,;]+)/.exec(value)?.[1] ?? /^unix:\/\/(\/.+)$/.exec(value)?.[1] ?? value.split(':')[0];
  return candidate && isAbsolute(candidate) && !candidate.includes('\0') ? candidate : undefined;
}

function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}
