// The approvers' web app: sign-in, then the queue (#/) or one request (#/tasks/<id>). No build step: the
// browser loads these ES modules as they are.
import { ApiError } from "./api.js";
import { SignInError, caller, completeSignIn, currentSession, forget, signIn, signOut } from "./auth.js";
import { h, show } from "./dom.js";
import { showQueue } from "./queue.js";
import { showRequest } from "./request.js";

const main = document.getElementById("main");
const status = document.getElementById("status");
const who = document.getElementById("who");
const signOutButton = document.getElementById("sign-out");

const say = (text) => {
  status.textContent = text;
};

function showSignIn(config, message) {
  who.hidden = signOutButton.hidden = true;
  show(
    main,
    h("h1", {}, "Approvals"),
    message && h("p", { class: "notice", role: "alert" }, message),
    h("p", {}, "Sign in to see and decide the requests that await an approver."),
    h("button", { type: "button", onclick: () => signIn(config, location.hash || "#/") }, "Sign in"),
  );
}

function fail(config, error) {
  if (error instanceof ApiError && error.status === 401) {
    forget();
    return showSignIn(config, "Your session has ended. Sign in again to go on where you were.");
  }
  const text =
    error instanceof ApiError && error.status === 404
      ? "There is no such task, or it is not yours to see (an approver sees a task only while it has an approval request)."
      : `Something went wrong: ${error.message}`;
  show(main, h("h1", {}, "Not available"), h("p", { role: "alert" }, text), h("p", {}, h("a", { href: "#/" }, "Back to the requests")));
}

async function route(config) {
  const session = currentSession();
  if (!session) return showSignIn(config);
  const me = caller(session);
  who.textContent = `Signed in as ${me.name}`;
  who.hidden = signOutButton.hidden = false;
  say("");
  const onError = (error) => fail(config, error);
  const request = /^#\/tasks\/([^/]+)$/.exec(location.hash);
  try {
    if (request) await showRequest(main, session, decodeURIComponent(request[1]), { say, fail: onError });
    else await showQueue(main, session, { fail: onError });
  } catch (error) {
    onError(error);
  }
}

async function start() {
  const config = await (await fetch("config.json", { cache: "no-store" })).json();
  signOutButton.addEventListener("click", () => signOut(config));
  window.addEventListener("hashchange", () => route(config));
  try {
    await completeSignIn(config);
  } catch (error) {
    if (!(error instanceof SignInError)) throw error;
    return showSignIn(config, error.message);
  }
  return route(config);
}

start();
