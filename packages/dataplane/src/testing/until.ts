/**
 * Polls `condition` every 100 ms until it holds, for things a real server does in its own time
 * (a session reaching a statement, a daemon accepting connections); fails naming `what` after
 * `attempts` tries rather than letting the test go on against the wrong state.
 */
export const until = async (condition: () => boolean, what: string, attempts = 100): Promise<void> => {
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (condition()) return
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`never happened: ${what}`)
}
