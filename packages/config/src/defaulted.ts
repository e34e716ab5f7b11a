import { Effect, Schema } from "effect"

/** An optional key that decodes to `value` when absent: how every tier and platform default is declared. */
export const defaulted = <S extends Schema.Top>(schema: S, value: S["Encoded"]) =>
  Schema.withDecodingDefaultKey<S>(Effect.succeed(value))(schema)
