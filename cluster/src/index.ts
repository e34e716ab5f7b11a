/** The Pulumi program's entry: runs the program (`program.ts`) and exports the stack outputs. */
import { program } from "./program.ts"

/** `argoCdWebhookSecret`: what to enter as the GitHub webhook's secret (`pulumi stack output --show-secrets`). */
export const { rootApplication, mode, argoCdWebhookSecret } = await program()
