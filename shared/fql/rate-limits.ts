/**
 * Rate limits kept in the database, as FQL fragments, so that a limit is checked and recorded
 * in the same transaction as the action it guards: two concurrent requests cannot both slip
 * under it. Events live in `rate_events` (swept after a day by the collection's ttl_days).
 */

import faunadb from 'faunadb';
import type { Expr } from './run-query.ts';

const q = faunadb.query;

/** Seconds since the last event of `key`, or null when there was none. */
export function secondsSinceLast(key: string): Expr {
  return q.Let(
    { last: q.Select(['data', 0, 0], q.Paginate(q.Match(q.Index('rate_events_by_key'), key), { size: 1 }), null) },
    q.If(q.IsNull(q.Var('last')), null, q.TimeDiff(q.Var('last'), q.Now(), 'seconds')),
  );
}

export function recordEvent(key: string): Expr {
  return q.Create(q.Collection('rate_events'), { data: { key, at: q.Now() } });
}

export interface EmailLimits {
  readonly perHour: number;
  readonly minIntervalSeconds: number;
}

/**
 * Seconds until one more event of `key` fits under `max` per `windowSeconds` (0: it fits now):
 * the time until the oldest of the last `max` events leaves the window.
 */
export function windowWait(key: string, windowSeconds: number, max: number): Expr {
  return q.Let(
    { ats: q.Select('data', q.Map(q.Paginate(q.Match(q.Index('rate_events_by_key'), key), { size: Math.max(1, max) }), q.Lambda(['at', 'ref'], q.Var('at')))) },
    q.If(
      q.LT(q.Count(q.Var('ats')), max),
      0,
      q.Let(
        { age: q.TimeDiff(q.Select(Math.max(1, max) - 1, q.Var('ats')), q.Now(), 'seconds') },
        q.If(q.GTE(q.Var('age'), windowSeconds), 0, q.Subtract(windowSeconds, q.Var('age'))),
      ),
    ),
  );
}

/** Seconds until the gap since the last event of `key` reaches `minSeconds` (0: it has). */
export function gapWait(key: string, minSeconds: number): Expr {
  return q.Let(
    { since: secondsSinceLast(key) },
    q.If(q.Or(q.IsNull(q.Var('since')), q.GTE(q.Var('since'), minSeconds)), 0, q.Subtract(minSeconds, q.Var('since'))),
  );
}

/** Seconds until one more email may go to this address (0: now). */
export function emailWait(address: string, limits: EmailLimits): Expr {
  const key = emailKey(address);
  return q.Max(windowWait(key, 3600, limits.perHour), gapWait(key, limits.minIntervalSeconds));
}

/**
 * Runs `then` (whose answer is an EmailDecision or the like) if `key` has had fewer than `perHour`
 * events in the last hour, and records one more; otherwise answers rate_limited (limit 'ip'). Every request
 * counts, whatever it then decides: counting only those that send would say which did.
 */
export function withHourlyAllowance(key: string, perHour: number, then: Expr): Expr {
  return q.Let(
    { hourWait: windowWait(key, 3600, perHour) },
    q.If(q.GT(q.Var('hourWait'), 0), { status: 'rate_limited', retryAfter: q.Var('hourWait'), limit: 'ip' }, q.Do(recordEvent(key), then)),
  );
}

/** register, password/forgot and verify/resend from one IP address. */
export function emailIpKey(ip: string): string {
  return `email_ip:${ip}`;
}

export function emailKey(address: string): string {
  return `email:${address}`;
}

export interface LoginLimits {
  /** Failures for one address from one IP address: the owner's own IP is not locked by others'. */
  readonly perAddressAndIp: number;
  /** Failures for one address from anywhere: a much higher ceiling against guessing from many IPs. */
  readonly perAddress: number;
  /** Failures from one IP address, whatever the addresses. */
  readonly perIp: number;
  readonly windowSeconds: number;
}

export interface LoginFailureKeys {
  readonly addressAndIp: string;
  readonly address: string;
  readonly ip: string;
}

export function loginFailureKeys(email: string, ip: string): LoginFailureKeys {
  return { addressAndIp: `login_failure:${email}:${ip}`, address: `login_failure:${email}`, ip: `login_failure_ip:${ip}` };
}

/** Seconds until one more login may be tried for this address from this IP address (0: now). */
export function loginWait(keys: LoginFailureKeys, limits: LoginLimits): Expr {
  return q.Max(
    windowWait(keys.addressAndIp, limits.windowSeconds, limits.perAddressAndIp),
    windowWait(keys.address, limits.windowSeconds, limits.perAddress),
    windowWait(keys.ip, limits.windowSeconds, limits.perIp),
  );
}

export function recordLoginFailure(keys: LoginFailureKeys): Expr {
  return q.Do(recordEvent(keys.addressAndIp), recordEvent(keys.address), recordEvent(keys.ip));
}

export function passwordChangeFailureKey(accountId: string): string {
  return `password_change_failure:${accountId}`;
}
