// A real OpenID Connect provider for the tests: panva's oidc-provider (discovery,
// authorize, token, userinfo, JWKS, signed ID tokens), on 127.0.0.1 only, with one
// client and its own small sign-in and consent pages. tests/oidc_provider.py starts it.
//
//   node provider.mjs --port 5xxxx --client-id ID --client-secret SECRET --redirect-uri URL
//
// Prints "ready <issuer>" once it listens. Anyone may sign in, with any email address:
// the sign-in page asks for the address, a name, and whether the person "used a second
// factor", which puts "mfa" and "otp" in the ID token's amr (or only "pwd" without it);
// an optional acr value goes into the ID token's acr.
import { createHash, randomBytes } from "node:crypto";
import http from "node:http";
import { parseArgs } from "node:util";

import Provider from "oidc-provider";

const { values: options } = parseArgs({
  options: {
    port: { type: "string" },
    "client-id": { type: "string" },
    "client-secret": { type: "string" },
    "redirect-uri": { type: "string", multiple: true },
  },
});
const port = Number(options.port);
const issuer = `http://127.0.0.1:${port}`;

// Who signed in, by account id: the provider asks for their claims after the sign-in.
const accounts = new Map();

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: options["client-id"],
      client_secret: options["client-secret"],
      redirect_uris: options["redirect-uri"],
      response_types: ["code"],
      grant_types: ["authorization_code"],
    },
  ],
  async findAccount(ctx, id) {
    const account = accounts.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, email: account.email, email_verified: true, name: account.name };
      },
    };
  },
  // acr and amr under the openid scope: as most providers do, every ID token has them.
  claims: { openid: ["sub", "acr", "amr", "auth_time"], email: ["email", "email_verified"], profile: ["name"] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
});

const escape = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function page(res, title, body) {
  res.statusCode = 200;
  res.setHeader("Content-Type", "text/html; charset=utf-8");
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf-8"));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  if (req.method === "GET" && prompt.name === "login") {
    return page(
      res,
      "Test identity provider: sign in",
      `<form method="post" action="/interaction/${escape(uid)}/login">
  <p><label for="email">Email address</label> <input id="email" name="email" type="email" autocomplete="off"></p>
  <p><label for="name">Full name</label> <input id="name" name="name" type="text" autocomplete="off"></p>
  <p><input id="mfa" name="mfa" type="checkbox" value="yes"> <label for="mfa">I used a second factor</label></p>
  <p><label for="acr">Authentication context (acr)</label> <input id="acr" name="acr" type="text" autocomplete="off"></p>
  <p><button type="submit">Sign in to the provider</button></p>
</form>`,
    );
  }
  if (req.method === "GET" && prompt.name === "consent") {
    return page(
      res,
      "Test identity provider: allow access",
      `<p>${escape(params.client_id)} asks to know your name and email address.</p>
<form method="post" action="/interaction/${escape(uid)}/consent"><button type="submit">Allow</button></form>`,
    );
  }
  if (req.method === "POST" && action === "login" && prompt.name === "login") {
    const form = await formBody(req);
    const email = (form.get("email") || "").trim();
    // A stable subject that is not the email address, as real providers give.
    const accountId = `sub-${createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 16)}`;
    accounts.set(accountId, { email, name: (form.get("name") || "").trim() });
    const login = { accountId, amr: form.get("mfa") === "yes" ? ["pwd", "mfa", "otp"] : ["pwd"] };
    if (form.get("acr")) login.acr = form.get("acr");
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  if (req.method === "POST" && action === "consent" && prompt.name === "consent") {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  res.statusCode = 400;
  res.end("Unexpected step");
}

const handleProvider = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login|consent))?(?:\?.*)?$/.exec(req.url);
  if (!match) return handleProvider(req, res);
  interaction(req, res, match[1], match[2]).catch((error) => {
    console.error(error);
    res.statusCode = 500;
    res.end(String(error && error.message));
  });
});
server.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));

const stop = () => server.close(() => process.exit(0));
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
