// Typed readers for parsed flag values. Each refuses a bad value with a UsageError that quotes
// the flag and the value received, so `resnet-edge` exits 2 with a message a user can act on.
import { UsageError, type ParsedArgs } from './command.ts';

export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new UsageError(`--${name} expects a value`);
  return v;
}

export function requiredString(args: ParsedArgs, name: string): string {
  const v = stringOpt(args, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function boolOpt(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

export function intOpt(
  args: ParsedArgs,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = stringOpt(args, name);
  if (raw === undefined) return fallback;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`--${name} expects an integer, got '${raw}'`);
  return checkRange(name, Number(raw), raw, range);
}

export function numberOpt(
  args: ParsedArgs,
  name: string,
  fallback: number,
  range: { min?: number; max?: number } = {},
): number {
  const raw = stringOpt(args, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} expects a number, got '${raw}'`);
  return checkRange(name, n, raw, range);
}

export function choiceOpt<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const raw = stringOpt(args, name);
  if (raw === undefined) return fallback;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got '${raw}'`);
  }
  return raw as T;
}

export function positional(args: ParsedArgs, index: number, name: string): string {
  const v = args.positionals[index];
  if (v === undefined) throw new UsageError(`missing argument ${name}`);
  return v;
}

function checkRange(name: string, n: number, raw: string, { min, max }: { min?: number; max?: number }): number {
  if (min !== undefined && n < min) throw new UsageError(`--${name} must be ≥ ${min}, got '${raw}'`);
  if (max !== undefined && n > max) throw new UsageError(`--${name} must be ≤ ${max}, got '${raw}'`);
  return n;
}
