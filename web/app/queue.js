// The approvers' queue: what awaits a decision, oldest request first, with how long each has waited.
import * as api from "./api.js";
import { h, show } from "./dom.js";
import { waited, when } from "./format.js";

/** Show one page of the queue; `pages` holds the page tokens that led to it (none: the first page), `fail`
 * shows an error of a later page. */
export async function showQueue(main, session, { fail, pages = [] }) {
  const turn = (to) => () => showQueue(main, session, { fail, pages: to }).catch(fail);
  const page = await api.approvals(session, pages.at(-1));
  const rows = page.items.map((task) =>
    h(
      "tr",
      {},
      h("td", {}, h("a", { href: `#/tasks/${encodeURIComponent(task.id)}` }, task.title)),
      h("td", {}, task.ownerId),
      h("td", {}, when(task.approval.requestedAt)),
      h("td", {}, waited(task.approval.requestedAt)),
    ),
  );
  const table = h(
    "table",
    {},
    h("caption", {}, "Tasks awaiting your decision, oldest request first"),
    h(
      "thead",
      {},
      h("tr", {}, ["Task", "Owner", "Requested", "Waiting"].map((name) => h("th", { scope: "col" }, name))),
    ),
    h("tbody", {}, rows),
  );
  const paging = h(
    "nav",
    { "aria-label": "Pages of the queue" },
    pages.length > 0 &&
      h("button", { type: "button", onclick: turn(pages.slice(0, -1)) }, "Previous page"),
    page.nextToken &&
      h("button", { type: "button", onclick: turn([...pages, page.nextToken]) }, "Next page"),
  );
  show(
    main,
    h("h1", {}, "Approval requests"),
    page.items.length ? table : h("p", {}, "Nothing awaits a decision."),
    paging,
  );
}
