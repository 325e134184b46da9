// One approval request: the task as it is now, its history, and the decision on exactly the version shown.
import * as api from "./api.js";
import { caller } from "./auth.js";
import { facts, h, show } from "./dom.js";
import { asText, waited, when } from "./format.js";

const OUTCOME_DEADLINE_MS = 10000; // the workflow records a decision within a second; ten is generous
const FIELDS = ["title", "description", "assignee", "priority", "status", "dueDate", "tags"];
const LABELS = { dueDate: "due date" };

/** Why this caller may not decide this task, in words; null when they may. The API decides; this only
 * spares the owner and the assignee a button that would fail. */
function whyNot(task, me) {
  if (task.approval.status !== "awaiting") return null;
  if (task.ownerId === me.id) {
    return "You own this task, so you cannot decide its approval: another approver has to (four eyes).";
  }
  if (task.assignee === me.id) {
    return "You are the assignee of this task, so you cannot decide its approval: another approver has to (four eyes).";
  }
  if (!me.groups.includes("approvers")) return "Only members of the approvers group decide approval requests.";
  return null;
}

function changedFields(before, after) {
  return FIELDS.filter((field) => JSON.stringify(before[field] ?? null) !== JSON.stringify(after[field] ?? null));
}

function outcome(approval) {
  const verdicts = {
    approved: "Approved",
    rejected: "Rejected",
    expired: "Expired: nobody decided in time",
    withdrawn: "Withdrawn",
    not_required: "No approval required",
  };
  return h(
    "section",
    { "aria-labelledby": "outcome-heading", class: `outcome ${approval.status}` },
    h("h2", { id: "outcome-heading" }, verdicts[approval.status] ?? approval.status),
    facts([
      ["Decided by", approval.decidedBy],
      ["Decided", approval.decidedAt && when(approval.decidedAt)],
      ["Comment", approval.comment],
    ]),
  );
}

function historyEntry(entry) {
  const what = entry.type === "created" ? "created the task" : entry.reason ?? "changed the task";
  return h(
    "li",
    {},
    h("p", {}, when(entry.occurredAt), " · ", entry.actor ?? "someone", " ", what),
    entry.changes.length > 0 &&
      h(
        "ul",
        {},
        entry.changes.map((change) =>
          h("li", {}, `${change.field}: ${asText(change.previous)} → ${asText(change.current)}`),
        ),
      ),
  );
}

function decisionForm(onDecide, comment, fail) {
  const textarea = h("textarea", { id: "comment", name: "comment", maxlength: 1000, rows: 3, "aria-describedby": "comment-hint" });
  textarea.value = comment;
  const form = h(
    "form",
    { "aria-labelledby": "decision-heading" },
    h("h2", { id: "decision-heading" }, "Your decision"),
    h("label", { for: "comment" }, "Comment (optional)"),
    textarea,
    h("p", { id: "comment-hint", class: "hint" }, "In your own words; the owner sees it with your decision."),
    h(
      "p",
      { class: "actions" },
      h("button", { type: "submit", value: "approve", class: "approve" }, "Approve"),
      h("button", { type: "submit", value: "reject", class: "reject" }, "Reject"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    for (const button of form.querySelectorAll("button")) button.disabled = true;
    form.setAttribute("aria-busy", "true");
    onDecide(event.submitter.value, textarea.value.trim()).catch(fail);
  });
  return form;
}

/** Show the request for `taskId`. `say` announces progress, `fail` shows an error the page cannot handle
 * itself; `notice` (an element) goes above the task, e.g. why the page changed; `comment` refills the form. */
export async function showRequest(main, session, taskId, { say, fail, notice = null, comment = "" }) {
  const [{ task, etag }, entries] = await Promise.all([api.task(session, taskId), api.history(session, taskId)]);
  const me = caller(session);
  const reason = whyNot(task, me);

  async function decide(decision, text) {
    say("Sending your decision…");
    try {
      await api.decide(session, taskId, etag, decision, text);
    } catch (error) {
      if (error.status === 412) {
        const { task: now } = await api.task(session, taskId);
        const changed = changedFields(task, now).map((field) => LABELS[field] ?? field);
        const message = h(
          "div",
          { class: "notice", role: "alert" },
          h("p", {}, "This task changed since it was shown to you, so nothing was decided. Here is the new version: read it, then decide again."),
          changed.length > 0 && h("p", {}, `Changed: ${changed.join(", ")}.`),
        );
        say("");
        return showRequest(main, session, taskId, { say, fail, notice: message, comment: text });
      }
      if (error.status === 409 || error.status === 403) {
        const message = h("div", { class: "notice", role: "alert" }, h("p", {}, `Not decided: ${error.message}`));
        say("");
        return showRequest(main, session, taskId, { say, fail, notice: message });
      }
      throw error;
    }
    say("Decision sent; waiting for the workflow to record it…");
    const deadline = Date.now() + OUTCOME_DEADLINE_MS;
    while (Date.now() < deadline) {
      const { task: now } = await api.task(session, taskId);
      if (now.approval.status !== "awaiting") {
        say(`Recorded: ${now.approval.status}.`);
        return showRequest(main, session, taskId, { say, fail });
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    say("Your decision was accepted; the workflow has not recorded it yet. Reload the page in a moment.");
  }

  const approval = task.approval;
  show(
    main,
    notice,
    h("p", { class: "crumbs" }, h("a", { href: "#/" }, "← Approval requests")),
    h("h1", {}, task.title),
    facts([
      ["Description", task.description],
      ["Owner", task.ownerId],
      ["Assignee", task.assignee],
      ["Priority", task.priority],
      ["Status", task.status],
      ["Due date", task.dueDate],
      ["Tags", task.tags?.length ? task.tags.join(", ") : null],
      ["Approval requested", approval.requestedAt && [when(approval.requestedAt), ` (waiting ${waited(approval.requestedAt)})`]],
      ["Approval", approval.status],
      ["Version", String(task.version)],
    ]),
    approval.status === "awaiting"
      ? reason
        ? h("p", { class: "notice why-not" }, reason)
        : decisionForm(decide, comment, fail)
      : outcome(approval),
    h(
      "section",
      { "aria-labelledby": "history-heading" },
      h("h2", { id: "history-heading" }, "History"),
      entries.length ? h("ol", { class: "history" }, entries.map(historyEntry)) : h("p", {}, "No history yet."),
    ),
  );
}
