// The tasks API, from the page's own origin (locally the API stand-in serves both; in AWS CloudFront sends
// /app/* to the bucket and everything else to the API): no CORS, and the token goes nowhere else.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.code ?? null;
  }
}

async function call(session, method, path, { body, ifMatch } = {}) {
  const headers = { Authorization: `Bearer ${session.accessToken}`, Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (ifMatch) headers["If-Match"] = ifMatch;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return { data, etag: response.headers.get("ETag") };
}

const taskPath = (taskId) => `/tasks/${encodeURIComponent(taskId)}`;

/** The approvers' queue, oldest request first: one page. */
export async function approvals(session, nextToken) {
  const query = new URLSearchParams({ limit: "20", ...(nextToken ? { nextToken } : {}) });
  return (await call(session, "GET", `/approvals?${query}`)).data;
}

/** The task and the ETag of the version read: the decision names that version. */
export async function task(session, taskId) {
  const { data, etag } = await call(session, "GET", taskPath(taskId));
  return { task: data, etag };
}

/** The task's audit trail, newest first (the first page: the request's story fits in it). */
export async function history(session, taskId) {
  return (await call(session, "GET", `${taskPath(taskId)}/history?limit=50`)).data.items;
}

/** Approve or reject the version shown (If-Match: its ETag); 412 when the task changed since. */
export async function decide(session, taskId, etag, decision, comment) {
  const body = { decision, ...(comment ? { comment } : {}) };
  return (await call(session, "POST", `${taskPath(taskId)}/approval`, { body, ifMatch: etag })).data;
}
