// Every element is built from text: no HTML string ever reaches the DOM, so a task's title such as
// `<img src=x onerror=...>` shows as those characters. The CSP's Trusted Types make any other way throw.

/** An element with attributes (`on<event>` ones become listeners) and children (nodes or text). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Replace what `container` shows, and put the keyboard at its first heading (a new page, for a screen reader). */
export function show(container, ...children) {
  container.replaceChildren(...children.flat(Infinity).filter(Boolean));
  const heading = container.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }
}

/** A definition list of [term, description] pairs, skipping those without a description. */
export function facts(pairs) {
  return h(
    "dl",
    { class: "facts" },
    pairs.filter(([, value]) => value !== null && value !== undefined && value !== "")
      .map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]),
  );
}
