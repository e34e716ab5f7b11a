import { readFile } from "node:fs/promises"
import { relative } from "node:path"
import { decodeWith, InvalidConfig, RolloutState } from "@ppi/config"
import { Effect } from "effect"

/** Reads the rollout state (the deploy branch's `_platform/rollout.json`): JSON, decoded strictly. */
export const loadRolloutState = (path: string): Effect.Effect<RolloutState, InvalidConfig> => {
  const file = relative(process.cwd(), path) || path
  const fail = (message: string) => new InvalidConfig({ issues: [{ file, path: "", message }] })
  return Effect.tryPromise({ try: () => readFile(path, "utf8"), catch: (error) => fail(`cannot read: ${error}`) }).pipe(
    Effect.flatMap((text) =>
      Effect.try({ try: () => JSON.parse(text) as unknown, catch: (error) => fail(`not JSON: ${error}`) }),
    ),
    Effect.flatMap((value) => decodeWith(RolloutState)(file, value)),
  )
}
