// The rotor commands as the top-level help lists them, and the module that defines each: the
// program loads only the module of the command being run, so `rotor --help` loads none of them
// (their SDK clients, zod, the local engine). test/cli/commands-index.test.ts keeps this list in
// step with what the modules define.
import type { CommandEntry } from './command-entry';

export type { CommandEntry, RegisterCommands } from './command-entry';


export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'run',
    term: 'run [options]',
    summary: 'Scan the Organization for KMS keys without automatic rotation, or remediate them in waves',
    load: async () => (await import('./run')).registerRun,
  },
  { name: 'report', term: 'report [options]', summary: 'Print or write the audit report of a run from the results store', load: async () => (await import('./report')).registerReport },
  { name: 'runs', term: 'runs [options]', summary: 'List recent runs, newest first', load: async () => (await import('./runs')).registerRuns },
  { name: 'status', term: 'status [options] <run-id>', summary: 'Show where a run is: status, counts, waves', load: async () => (await import('./status')).registerStatus },
  {
    name: 'drift',
    term: 'drift [options]',
    summary: 'Compare a run with the previous run of the same scope: new non-compliant keys, regressions, resolutions, expired exceptions, and the keys events changed in between',
    load: async () => (await import('./drift')).registerDrift,
  },
  {
    name: 'exceptions',
    term: 'exceptions',
    summary: 'Exceptions: keys or accounts left alone, each with an owner, a reason and an expiry',
    load: async () => (await import('./exceptions')).registerExceptions,
  },
  {
    name: 'enforce',
    term: 'enforce [options]',
    summary: 'Enforce rotation on the keys that KMS events (CloudTrail via EventBridge) name, as the deployed EnforceKey function does',
    load: async () => (await import('./enforce')).registerEnforce,
  },
  {
    name: 'history',
    term: 'history [options] <key>',
    summary: 'Show one key across runs: its status, rotation and exception in each run that listed it',
    load: async () => (await import('./history')).registerHistory,
  },
  {
    name: 'securityhub',
    term: 'securityhub',
    summary: "Send a run's findings to AWS Security Hub (ASFF), one finding per key",
    load: async () => (await import('./securityhub')).registerSecurityHub,
  },
  {
    name: 'check-template',
    term: 'check-template [options] [files...]',
    summary: 'check templates, cdk.out folders and Terraform plans for KMS keys without rotation',
    load: async () => (await import('./check-template')).registerCheckTemplate,
  },
  {
    name: 'demo',
    term: 'demo [options]',
    summary: 'Run a full remediate rollout on the built-in simulated organization (no AWS account needed)',
    load: async () => (await import('./demo')).registerDemo,
  },
  {
    name: 'simulate',
    term: 'simulate [options]',
    summary: 'Serve the simulated AWS organization (Organizations, STS, EC2 DescribeRegions, KMS) on 127.0.0.1 until Ctrl-C',
    load: async () => (await import('./simulate')).registerSimulate,
  },
  {
    name: 'completion',
    term: 'completion <shell>',
    summary: 'Print the shell completion script (bash or zsh)',
    load: async () => (await import('./completion')).completionCommand(COMMANDS),
  },
];
