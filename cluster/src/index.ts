/** The Pulumi program's entry: runs the program (`program.ts`) and exports the stack outputs. */
import { program } from "./program.ts"

/** `argoCdWebhookSecret`: what to enter as the GitHub webhook's secret (`pulumi stack output --show-secrets`). */
/** `rolloutReaderTokenSecret`: the Secret whose token is the repository's `ARGOCD_READER_TOKEN`. */
export const { rootApplication, mode, argoCdWebhookSecret, rolloutReaderTokenSecret } = await program()
