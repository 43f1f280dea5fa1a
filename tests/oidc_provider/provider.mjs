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
//   port       0 by default
//
// Everything else is fixed here: devInteractions (login and consent pages), PKCE required
// for every client, refresh tokens rotated on every use, resource indicators without a
// default resource, RP-initiated and back-channel logout, client credentials, PAR, DPoP,
// userinfo, private_key_jwt (RS256, RS384, PS256, ES256 assertions) and provider keys for
// RS256, PS256 and ES256 ID tokens.
//
// Test-only admin routes (under /__admin/):
//   POST /__admin/rotate   new signing keys (one per algorithm), published first in the JWKS;
//                          the previous generation stays published after them unless the body
//                          is {"keep_previous": false}. Answers {"kids": [...signing kids]}.
//   POST /__admin/clients  replace the registered clients with the body's list (or add them:
//                          {"clients": [...], "replace": false}). Answers {"client_ids": [...]}.
//   GET  /__admin/state    {"kids": [...signing kids], "client_ids": [...]}
// Both POST routes build a new Provider instance with the same configuration otherwise. The
// storage (oidc-provider's in-memory adapter, one per process) and the cookie keys are shared,
// so sessions, grants, codes and refresh tokens survive a rotation.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import process from 'node:process';

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
// P-256 key for ES256, each restricted to its algorithm by "alg".
let generation = 0;
function newKeys() {
  generation += 1;
  const tag = `${generation}-${randomBytes(4).toString('hex')}`;
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  return [
    { ...rsa().export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: `rs256-${tag}` },
    { ...rsa().export({ format: 'jwk' }), alg: 'PS256', use: 'sig', kid: `ps256-${tag}` },
    { ...ec().export({ format: 'jwk' }), alg: 'ES256', use: 'sig', kid: `es256-${tag}` },
  ];
}

let signing = newKeys();
let previous = [];
const cookieKeys = [randomBytes(32).toString('hex')];

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
    pkce: { required: () => true },
    // Every use of a refresh token rotates it; a used one is refused (and revokes the grant).
    rotateRefreshToken: () => true,
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
    enabledJWA: {
      clientAuthSigningAlgValues: ['HS256', 'RS256', 'RS384', 'PS256', 'ES256'],
      idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256'],
      dPoPSigningAlgValues: ['ES256', 'PS256', 'RS256'],
    },
    features: {
      devInteractions: { enabled: true },
      clientCredentials: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      pushedAuthorizationRequests: { enabled: true },
      dPoP: { enabled: true },
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
  provider.on('server_error', (ctx, error) => {
    process.stderr.write(`oidc-provider server_error: ${error?.stack ?? error}\n`);
  });
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

function state() {
  return { kids: signing.map((key) => key.kid), client_ids: clients.map((c) => c.client_id) };
}

async function admin(req, res, path) {
  const body = req.method === 'POST' ? await readBody(req) : {};
  if (req.method === 'GET' && path === '/__admin/state') return answer(res, 200, state());
  if (req.method === 'POST' && path === '/__admin/rotate') {
    previous = body.keep_previous === false ? [] : signing;
    signing = newKeys();
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

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
