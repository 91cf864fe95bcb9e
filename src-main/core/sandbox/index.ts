export { bubblewrapArgs, type BubblewrapArgsOptions, type MountPlan, type PathKind } from './bubblewrap.js';
export { detectBubblewrap, forgetSandboxProbes, type DetectOptions, type SandboxAvailability } from './availability.js';
export { hostControlSockets } from './hostSockets.js';
