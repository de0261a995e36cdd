import { Hono } from 'hono';
import { Credentials } from '../config/schemas.js';
import { randomId } from '../crypto/encoding.js';
import { hashPassword, verifyPassword } from '../crypto/password.js';
import { GatewayError } from '../errors.js';
import type { AppEnv, Services } from '../services.js';
import { LoginThrottle } from './login-throttle.js';
import { issueSession } from './session.js';
import { readJson } from './validate.js';

/**
 * Verified against when the email is unknown, so a login takes as long either way. Its
 * password was random and thrown away; a constant spares every isolate the hashing at start.
 */
const DECOY_HASH = 'pbkdf2-sha256$210000$oyZ_QBQ6BACW1hB-bIgVvQ$JZkeuAaulsNMNxPt_gvZxAPnrRpwnJbuDXx7Du3xGv0';

const setupDone = () => new GatewayError('conflict', 'setup is already done: log in instead');

/** First-run setup and login: the only /api routes that need no session. */
export function authRoutes(services: Services): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const throttle = new LoginThrottle(services.now);

  app.post('/setup', async (c) => {
    const { email, password } = await readJson(c, services, Credentials);
    // Refuse before hashing: after setup, this open route must not cost 210,000 rounds a call.
    if (services.config.snapshot.users.length > 0) throw setupDone();
    const passwordHash = await hashPassword(password);
    // The check runs inside the serialized update, so two racing setups cannot both win.
    const user = await services.config.update('users', async (users) => {
      if (users.length > 0) throw setupDone();
      const created = { id: randomId('usr'), email: email.toLowerCase(), passwordHash, role: 'admin', createdAt: new Date(services.now()).toISOString() };
      return { next: [created], result: created };
    });
    await services.config.materialize();
    return c.json({ token: await issueSession(services, user) }, 201);
  });

  app.post('/auth/login', async (c) => {
    const { email, password } = await readJson(c, services, Credentials);
    const account = email.toLowerCase();
    throttle.check(account);
    const user = services.config.index.usersByEmail.get(account);
    const ok = await verifyPassword(password, user?.passwordHash ?? DECOY_HASH);
    if (!user || !ok) {
      throttle.failed(account);
      throw new GatewayError('unauthorized', 'wrong email or password');
    }
    throttle.succeeded(account);
    return c.json({ token: await issueSession(services, user) });
  });

  return app;
}
