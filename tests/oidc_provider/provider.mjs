// A certified OpenID Provider (the npm package oidc-provider) for the interop tests.
//
//   node provider.mjs CONFIG.json        (or OP_CONFIG='{"clients": [...]}' node provider.mjs)
//
// It listens on 127.0.0.1 (port 0 = a free one) and prints one JSON line on stdout once it
// serves: {"issuer": "http://127.0.0.1:PORT", "port": PORT, "pid": PID}. The tests
// (tests/oidc_provider/harness.py) start it, read that line and stop it by its PID.
//
// The configuration (JSON) chooses what differs between tests:
//   clients    oidc-provider client metadata (client_id, client_secret, redirect_uris,
//              id_token_signed_response_alg, token_endpoint_auth_method, jwks, ...)
//   resources  {"<resource indicator>": {"scope": "...", "accessTokenFormat": "jwt"|"opaque",
//              "audience"?: "...", "jwt"?: {...}}}: the resource servers (RFC 8707)
//   users      {"<login>": {claims}}: claims per account; any other login gets defaults
//   ttl        oidc-provider ttl overrides in seconds ({"AccessToken": 300, ...})
//   ciba_interval  seconds between CIBA polls, added to the backchannel answer (none by default)
//   port       0 by default
//
// Everything else is fixed here: devInteractions (login and consent pages), PKCE required
// for every client, refresh tokens rotated on every use, resource indicators without a
// default resource, RP-initiated and back-channel logout, client credentials, PAR, DPoP,
// userinfo, private_key_jwt (RS256, RS384, PS256, ES256 assertions), client_secret_jwt (HS256,
// HS384, HS512), CIBA in poll mode and
// provider keys for RS256, PS256 and ES256 ID tokens.
//
// CIBA: a `login_hint` names a user of `users` by login or by email (<login>@example.com; any
// other hint is unknown_user_id); the binding message is checked by oidc-provider's default
// rule. Each accepted request waits for the test to play the user's device (below).
//
// Test-only admin routes (under /__admin/):
//   POST /__admin/rotate   new signing keys (one per algorithm), published first in the JWKS;
//                          the previous generation stays published after them unless the body
//                          is {"keep_previous": false}.
//   POST /__admin/clients  replace the registered clients with the body's list (or add them:
//                          {"clients": [...], "replace": false}).
//   GET  /__admin/ciba     {"pending": [{auth_req_id, account, client_id, binding_message, scope,
//                          resource}]}: the CIBA requests no one has answered yet.
//   POST /__admin/ciba     {"auth_req_id", "decision": "approve"|"deny"}: the user's answer;
//                          approve grants the request's scope (and resource) to the client.
//   GET  /__admin/state    {"kids": [...signing kids], "client_ids": [...],
//                          "hits": {"<METHOD> <path>": count, ...}} (requests served so far,
//                          not counting the harness' own: those with an x-interop-harness header),
//                          "assertions": {"<client_id>": {alg, kid, typ, aud}}} (the last
//                          private_key_jwt client assertion of each client); the POST routes
//                          answer the same.
// Both POST routes build a new Provider instance with the same configuration otherwise. The
// storage (SharedMemory below: oidc-provider's own in-memory adapter keeps one store per
// Provider instance) and the cookie keys are shared, so sessions, grants, codes and refresh
// tokens survive a rotation.

import { generateKeyPair, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';
import { promisify } from 'node:util';

import Provider, { errors } from 'oidc-provider';

function loadConfig() {
  const path = process.argv[2];
  if (path) return JSON.parse(readFileSync(path, 'utf8'));
  if (process.env.OP_CONFIG) return JSON.parse(process.env.OP_CONFIG);
  return {};
}

const config = loadConfig();
const resources = config.resources ?? {};
const users = config.users ?? {};
let clients = config.clients ?? [];

// One generation of provider signing keys: an RSA key for RS256, another for PS256, and a
// P-256 key for ES256, each restricted to its algorithm by "alg". Generated off the event loop;
// the next generation is prepared as soon as one is taken, so a rotation rarely waits.
let generation = 0;
const generateKeyPairAsync = promisify(generateKeyPair);

async function newKeys() {
  generation += 1;
  const tag = `${generation}-${randomBytes(4).toString('hex')}`;
  const [rs, ps, es] = await Promise.all([
    generateKeyPairAsync('rsa', { modulusLength: 2048 }),
    generateKeyPairAsync('rsa', { modulusLength: 2048 }),
    generateKeyPairAsync('ec', { namedCurve: 'P-256' }),
  ]);
  const jwk = ({ privateKey }) => privateKey.export({ format: 'jwk' });
  return [
    { ...jwk(rs), alg: 'RS256', use: 'sig', kid: `rs256-${tag}` },
    { ...jwk(ps), alg: 'PS256', use: 'sig', kid: `ps256-${tag}` },
    { ...jwk(es), alg: 'ES256', use: 'sig', kid: `es256-${tag}` },
  ];
}

// The storage of every Provider instance of this process: model:id -> {payload, expiresAt},
// with the lookups oidc-provider's adapter interface asks for (by session uid, by user code,
// every token of a grant).
const records = new Map();
const sessionUids = new Map();
const userCodes = new Map();
const grants = new Map();

function live(key) {
  const record = records.get(key);
  if (record && record.expiresAt !== undefined && record.expiresAt <= Date.now()) {
    records.delete(key);
    return undefined;
  }
  return record;
}

class SharedMemory {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
    records.set(key, { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) sessionUids.set(payload.uid, id);
    if (payload.userCode) userCodes.set(payload.userCode, id);
    if (payload.grantId) {
      if (!grants.has(payload.grantId)) grants.set(payload.grantId, new Set());
      grants.get(payload.grantId).add(key);
    }
  }

  async find(id) {
    return live(this.key(id))?.payload;
  }

  async findByUid(uid) {
    const id = sessionUids.get(uid);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = userCodes.get(userCode);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const record = live(this.key(id));
    if (record) record.payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    records.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    for (const key of grants.get(grantId) ?? []) records.delete(key);
    grants.delete(grantId);
  }
}

// CIBA requests waiting for the user's decision (POST /__admin/ciba), by auth_req_id.
const cibaPending = new Map();

function cibaAccount(hint) {
  for (const login of Object.keys(users)) {
    if (hint === login || hint === accountClaims(login).email) return login;
  }
  return undefined;
}

const ciba = {
  enabled: true,
  deliveryModes: ['poll'],
  async processLoginHint(ctx, hint) {
    return cibaAccount(hint);
  },
  async processLoginHintToken() {
    throw new errors.InvalidRequest('login_hint_token is not supported here');
  },
  async validateRequestContext() {},
  async verifyUserCode(ctx, account, userCode) {
    if (userCode) throw new errors.InvalidRequest('user_code is not supported here');
  },
  async triggerAuthenticationDevice(ctx, request, account, client) {
    cibaPending.set(request.jti, {
      auth_req_id: request.jti,
      account: account.accountId,
      client_id: client.clientId,
      binding_message: request.params.binding_message ?? null,
      scope: request.scope,
      resource: request.resource ?? null,
    });
  },
};

async function answerCiba(body) {
  const entry = cibaPending.get(body.auth_req_id);
  if (!entry) return [404, { error: 'no such pending CIBA request' }];
  if (body.decision === 'deny') {
    await current.backchannelResult(entry.auth_req_id, new errors.AccessDenied('the user said no'));
  } else if (body.decision === 'approve') {
    const grant = new current.Grant({ accountId: entry.account, clientId: entry.client_id });
    grant.addOIDCScope(entry.scope);
    for (const resource of [entry.resource ?? []].flat()) {
      grant.addResourceScope(resource, entry.scope);
    }
    await grant.save();
    await current.backchannelResult(entry.auth_req_id, grant, {
      authTime: Math.floor(Date.now() / 1000),
    });
  } else {
    return [400, { error: 'decision must be approve or deny' }];
  }
  cibaPending.delete(entry.auth_req_id);
  return [200, { auth_req_id: entry.auth_req_id, decision: body.decision }];
}

let signing = await newKeys();
let upcoming = newKeys();
let previous = [];
const cookieKeys = [randomBytes(32).toString('hex')];
// With a nonce secret the OP answers a DPoP proof whose iat is off by more than its window
// with use_dpop_nonce and a DPoP-Nonce (RFC 9449 §8) instead of refusing it outright.
const dpopNonceSecret = randomBytes(32);

function accountClaims(sub) {
  const given = users[sub] ?? {};
  return {
    sub,
    email: `${sub}@example.com`,
    email_verified: true,
    name: sub.charAt(0).toUpperCase() + sub.slice(1),
    nickname: sub,
    ...given,
  };
}

function buildProvider(issuer) {
  const provider = new Provider(issuer, {
    clients,
    adapter: SharedMemory,
    // oidc-provider refuses to call loopback addresses (SSRF protection); the clients' own
    // endpoints here (back-channel logout receivers) are on 127.0.0.1, so those are allowed.
    fetch(url, options) {
      const { hostname } = new URL(url);
      const loopback = hostname === '127.0.0.1' || hostname === 'localhost';
      return globalThis.fetch(url, loopback ? { ...options, dispatcher: undefined } : options);
    },
    jwks: { keys: [...signing, ...previous] },
    cookies: { keys: cookieKeys },
    claims: {
      openid: ['sub'],
      profile: ['name', 'nickname', 'given_name', 'family_name', 'picture', 'updated_at'],
      email: ['email', 'email_verified'],
    },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    async findAccount(ctx, sub) {
      return { accountId: sub, async claims() { return accountClaims(sub); } };
    },
    ...(config.ttl ? { ttl: config.ttl } : {}),
    pkce: { required: () => true },
    // Remember the header and audience of each client's last private_key_jwt assertion.
    async assertJwtClientAuthClaimsAndHeader(ctx, claims, header, client) {
      assertions[client.clientId] = {
        alg: header.alg, kid: header.kid ?? null, typ: header.typ ?? null, aud: claims.aud,
      };
    },
    // Every use of a refresh token rotates it; a used one is refused (and revokes the grant).
    rotateRefreshToken: () => true,
    clientAuthMethods: [
      'client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none',
    ],
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'PS256', 'ES256'],
      idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'RS256'],
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true, nonceSecret: dpopNonceSecret },
      ciba,
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // No default resource: a token request without `resource` gets an opaque token for
        // the userinfo endpoint, never a token for some API.
        defaultResource: async (ctx, client, oneOf) => oneOf,
        useGrantedResource: async () => false,
        getResourceServerInfo: async (ctx, indicator) => {
          const server = resources[indicator];
          if (!server) throw new errors.InvalidTarget();
          return { accessTokenFormat: 'jwt', ...server };
        },
      },
    },
  });
  // oidc-provider names no polling interval, so a CIBA client waits the spec's 5 s between
  // polls (CIBA Core §7.3); `ciba_interval` in the configuration names a shorter one.
  if (config.ciba_interval) {
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.path === '/backchannel' && ctx.status === 200 && ctx.body?.auth_req_id) {
        ctx.body = { ...ctx.body, interval: config.ciba_interval };
      }
    });
  }
  provider.on('server_error', (ctx, error) => {
    process.stderr.write(`oidc-provider server_error: ${error?.stack ?? error}\n`);
  });
  // Why a request was refused, for the harness' log (the answers only say e.g. invalid_grant).
  for (const event of ['grant.error', 'authorization.error', 'end_session.error',
    'pushed_authorization_request.error', 'introspection.error', 'userinfo.error',
    'backchannel.error']) {
    provider.on(event, (ctx, error) => {
      const why = error?.error_detail ?? error?.cause?.message ?? error?.cause?.code;
      const detail = why ? ` (${why})` : '';
      process.stderr.write(`${event}: ${error?.message ?? error}${detail}\n`);
    });
  }
  return provider;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

let issuer;
let current;
let handler;

function install() {
  current = buildProvider(issuer);
  handler = current.callback();
}

const hits = {};
const assertions = {};

function state() {
  return {
    kids: signing.map((key) => key.kid),
    client_ids: clients.map((c) => c.client_id),
    hits,
    assertions,
  };
}

async function admin(req, res, path) {
  const body = req.method === 'POST' ? await readBody(req) : {};
  if (req.method === 'GET' && path === '/__admin/state') return answer(res, 200, state());
  if (req.method === 'GET' && path === '/__admin/ciba') {
    return answer(res, 200, { pending: [...cibaPending.values()] });
  }
  if (req.method === 'POST' && path === '/__admin/ciba') {
    const [status, result] = await answerCiba(body);
    return answer(res, status, result);
  }
  if (req.method === 'POST' && path === '/__admin/rotate') {
    previous = body.keep_previous === false ? [] : signing;
    signing = await upcoming;
    upcoming = newKeys();
    install();
    return answer(res, 200, state());
  }
  if (req.method === 'POST' && path === '/__admin/clients') {
    const given = Array.isArray(body) ? body : body.clients;
    if (!Array.isArray(given)) return answer(res, 400, { error: 'a list of clients is needed' });
    if (!Array.isArray(body) && body.replace === false) {
      const ids = new Set(given.map((c) => c.client_id));
      clients = [...clients.filter((c) => !ids.has(c.client_id)), ...given];
    } else {
      clients = given;
    }
    try {
      install();
    } catch (error) {
      return answer(res, 400, { error: String(error?.message ?? error) });
    }
    return answer(res, 200, state());
  }
  return answer(res, 404, { error: 'no such admin route' });
}

const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  if (path.startsWith('/__admin/')) {
    admin(req, res, path).catch((error) => answer(res, 500, { error: String(error) }));
    return;
  }
  if (!req.headers['x-interop-harness']) {
    const hit = `${req.method} ${path}`;
    hits[hit] = (hits[hit] ?? 0) + 1;
  }
  handler(req, res);
});

server.listen(config.port ?? 0, '127.0.0.1', () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}`;
  try {
    install();
  } catch (error) {
    process.stderr.write(`provider.mjs: bad configuration: ${error?.message ?? error}\n`);
    process.exit(2);
  }
  process.stdout.write(`${JSON.stringify({ issuer, port, pid: process.pid })}\n`);
});

// Never outlive the test run that started us (a killed pytest cannot stop us by PID).
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000).unref();

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
