#!/usr/bin/env node
/**
 * CLI entry: `pnpm synth [--tenants DIR] [--out DIR] [--platform FILE] [--previous DIR] [--rollout FILE]`. Turns on
 * Node's module compile cache before anything heavy loads (start-up is a good part of a small run),
 * then runs the CLI.
 */
import module from "node:module"

module.enableCompileCache?.()
await import("./cli.ts")
