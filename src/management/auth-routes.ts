import { Hono, type Context } from 'hono';
import { Credentials } from '../config/schemas.js';
import { randomId } from '../crypto/encoding.js';
import { hashPassword, passwordHashing, verifyPassword } from '../crypto/password.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { clientAddressOf } from './client-address.js';
import { hashing, hashingBusy } from './hashing.js';
import { clientAddressKey, LoginThrottle, UNKNOWN_ADDRESS } from './login-throttle.js';
import { issueSession } from './session.js';
import { sessionAnswer } from './session-cookie.js';
import { readJson } from './validate.js';

/**
 * Verified against when the email is unknown, so a login takes as long either way. Its
 * password was random and thrown away; a constant spares every isolate the hashing at start.
 */
const DECOY_HASH = 'pbkdf2-sha256$210000$oyZ_QBQ6BACW1hB-bIgVvQ$JZkeuAaulsNMNxPt_gvZxAPnrRpwnJbuDXx7Du3xGv0';

const setupDone = () => new GatewayError('conflict', 'setup is already done: log in instead');

/** The address login throttling counts this request under (UNKNOWN_ADDRESS without one: see LoginThrottle). */
function clientAddress(c: Context<AppEnv>, services: Services): string {
  return clientAddressKey(clientAddressOf(c, services));
}

/** First-run setup (and whether it is needed) and login: the only /api routes that need no session. */
export function authRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  // Counts in services.counters: per process on Node, Bun and Deno; on Workers in one Durable Object, across every isolate.
  const throttle = new LoginThrottle({ counters: services.counters, now: services.now, logger: services.logger });
  let warnedNoAddress = false;

  /** Whether first-run setup is still to do (no user exists yet): the dashboard shows setup or login by it. */
  app.get('/setup', (c) => c.json({ needed: services.config.snapshot.users.length === 0 }));

  // Setup and login answer `{token}`, or with `x-routerly-session: cookie` the session cookie and `{csrfToken}` (session-cookie.ts).
  app.post('/setup', async (c) => {
    const { email, password } = await readJson(c, services, Credentials);
    // Refuse before hashing: after setup, this open route must not cost 210,000 rounds a call.
    if (services.config.snapshot.users.length > 0) throw setupDone();
    const passwordHash = await hashing(hashPassword(password));
    // The check runs inside the serialized update, so two racing setups cannot both win.
    const user = await services.config.update('users', async (users) => {
      if (users.length > 0) throw setupDone();
      const created = { id: randomId('usr'), email: email.toLowerCase(), passwordHash, role: 'admin', createdAt: new Date(services.now()).toISOString() };
      return { next: [created], result: created };
    });
    await services.config.materialize();
    return sessionAnswer(c, services, await issueSession(services, user), 201);
  });

  app.post('/auth/login', async (c) => {
    const { email, password } = await readJson(c, services, Credentials);
    const account = email.toLowerCase();
    const address = clientAddress(c, services);
    if (address === UNKNOWN_ADDRESS && !warnedNoAddress) {
      warnedNoAddress = true;
      services.logger.warn('login throttling sees no client address, so it can only lock accounts as a whole: pass RequestContext.clientAddress or set trustProxy');
    }
    // A full hashing queue would refuse this login anyway: refuse it before anything is counted.
    if (passwordHashing.load.waiting >= passwordHashing.maxWaiting) throw hashingBusy();
    // Counted before the hash, so concurrent guesses cannot slip past the limits.
    const attempt = await throttle.begin(account, address);
    const user = services.config.index.usersByEmail.get(account);
    let ok: boolean;
    try {
      ok = await hashing(verifyPassword(password, user?.passwordHash ?? DECOY_HASH));
    } catch (error) {
      // The password was never checked (a full hashing queue): the attempt does not count.
      await attempt.abandoned();
      throw error;
    }
    if (!user || !ok) {
      await attempt.failed();
      throw new GatewayError('unauthorized', 'wrong email or password');
    }
    await attempt.succeeded();
    return sessionAnswer(c, services, await issueSession(services, user));
  });

  return app;
}
