// Sign-in with OAuth 2.0 authorization code + PKCE (RFC 7636) at the identity provider named in config.json:
// Cognito's hosted sign-in in AWS, the local identity provider under `make dev`; the same code for both.
// The access token lives in this tab's sessionStorage only: never in localStorage, a cookie or a URL.

const SESSION_KEY = "tasks.session";
const PENDING_KEY = "tasks.signIn"; // state and verifier, only between the redirect and its answer

export class SignInError extends Error {}

/** Where the identity provider sends the browser back: this page, without query or fragment. */
export function redirectUri() {
  return new URL(".", location.href).href;
}

function base64url(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function randomString(byteCount) {
  return base64url(crypto.getRandomValues(new Uint8Array(byteCount)));
}

/** Go to the identity provider; after sign-in the browser comes back to `returnTo` (a route, e.g. "#/tasks/1"). */
export async function signIn(config, returnTo) {
  const verifier = randomString(32);
  const state = randomString(16);
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, returnTo }));
  const url = new URL(config.authorizationEndpoint);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: config.clientId,
    redirect_uri: redirectUri(),
    scope: config.scope,
    state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  location.assign(url.href);
}

/** On the way back from the identity provider: take the code out of the URL at once, check the state, and
 * exchange the code with the verifier for a token. Null when this page load is not such a return. */
export async function completeSignIn(config) {
  const answer = new URLSearchParams(location.search);
  if (!answer.has("code") && !answer.has("error")) return null;
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, "", redirectUri() + (pending?.returnTo ?? "#/"));
  if (answer.has("error")) throw new SignInError(`The identity provider said: ${answer.get("error")}.`);
  if (!pending || answer.get("state") !== pending.state) {
    throw new SignInError("This sign-in answer does not belong to a sign-in started in this tab.");
  }
  const response = await fetch(config.tokenEndpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: config.clientId,
      code: answer.get("code"),
      redirect_uri: redirectUri(),
      code_verifier: pending.verifier,
    }),
  });
  if (!response.ok) throw new SignInError("The identity provider refused the sign-in; please sign in again.");
  const tokens = await response.json();
  const session = { accessToken: tokens.access_token, expiresAt: Date.now() + tokens.expires_in * 1000 };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** This tab's session, or null when there is none or it has expired. */
export function currentSession() {
  const session = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
  if (session && session.expiresAt > Date.now()) return session;
  forget();
  return null;
}

export function forget() {
  sessionStorage.removeItem(SESSION_KEY);
}

/** Forget the token here, then end the identity provider's own session, which sends the browser back. */
export function signOut(config) {
  forget();
  const url = new URL(config.logoutEndpoint);
  url.search = new URLSearchParams({ client_id: config.clientId, logout_uri: redirectUri() });
  location.assign(url.href);
}

/** Who the token says the caller is: for what the page shows, never for what it allows (the API decides). */
export function caller(session) {
  const payload = session.accessToken.split(".")[1].replaceAll("-", "+").replaceAll("_", "/");
  const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(payload), (c) => c.charCodeAt(0))));
  const groups = claims["cognito:groups"] ?? [];
  return { id: claims.sub, name: claims.username ?? claims.sub, groups: Array.isArray(groups) ? groups : [groups] };
}
