/** The CrossGuard pack `pulumi preview/up --policy-pack cluster/src/policy-pack` runs. */
import { PolicyPack } from "@pulumi/policy"
import { policies } from "./policies.ts"

new PolicyPack("ppi-guardrails", { policies: [...policies] })
