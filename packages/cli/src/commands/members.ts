import type { Command } from 'commander';

// Placeholder during development; replaced by the issue that builds this command.
export function registerMembersCommands(_program: Command): void {}
