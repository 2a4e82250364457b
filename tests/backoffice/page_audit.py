"""An accessibility and language pass over one staff page in Chromium, written here (no network for axe-core).

What it checks, and where the rule comes from (WCAG 2.2 AA):
- the page's `lang` is the language asked for (3.1.1), it has a title (2.4.2) and exactly one h1;
- every interactive control has an accessible name, as Chromium's own accessibility tree computes it (4.1.2);
- every form field has a <label> (1.3.1, 3.3.2), every image and SVG a text alternative (1.1.1), every
  table a caption, and every id that aria-labelledby / aria-describedby / for points at exists once;
- text contrast against the background it is painted on: 4.5:1, or 3:1 for large text (1.4.3);
  form controls' edges against their surroundings: 3:1 (1.4.11);
- targets are 24 by 24 CSS pixels at least (2.5.8), a name contains the words shown (2.5.3), headings
  do not skip a level, and at 320 pixels wide nothing runs off the side (1.4.10);
- Tab reaches every control and each shows a focus indicator of 3:1 against its background (2.1.1, 2.4.7);
- nothing of the other language and no raw text key is left on the page.
`details` are opened first, so the tables behind "Figures as a table" are checked too.
"""

from __future__ import annotations

import re
from typing import Any

import playwright.sync_api as playwright

from backoffice.i18n import TEXTS

# The colour helpers, shared by the page scan and the focus check.
_COLOUR_JS = r"""
const parse = (value) => {
  const m = value && value.match(/rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/);
  return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
};
const over = (top, bottom) => {
  const a = top[3];
  return [0, 1, 2].map((i) => top[i] * a + bottom[i] * (1 - a)).concat([1]);
};
const luminance = (c) => {
  const [r, g, b] = c.slice(0, 3).map((v) => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
const ratio = (a, b) => {
  const [l1, l2] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (l1 + 0.05) / (l2 + 0.05);
};
// The opaque colour behind `el`: its own and its ancestors' backgrounds, composited over white.
// `null` when a background image or a translucent ancestor makes it unknowable from styles alone.
const backgroundOf = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const style = getComputedStyle(node);
    if (style.backgroundImage !== 'none' || parseFloat(style.opacity) < 1) return null;
    const colour = parse(style.backgroundColor);
    if (colour && colour[3] > 0) layers.push(colour);
    if (colour && colour[3] === 1) break;
  }
  return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255, 1]);
};
const describe = (el) => {
  const text = (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().replace(/\s+/g, ' ');
  return `<${el.tagName.toLowerCase()}${el.id ? ' id=' + el.id : ''}> "${text.slice(0, 40)}"`;
};
const isLarge = (style) => {
  const size = parseFloat(style.fontSize), weight = parseInt(style.fontWeight, 10) || 400;
  return size >= 24 || (size >= 18.66 && weight >= 700);
};
"""

_SCAN_JS = (
    "(expectedLang) => {"
    + _COLOUR_JS
    + r"""
  const problems = [];
  const texts = [];
  const root = document.documentElement;
  if (root.lang !== expectedLang) problems.push(`html lang is "${root.lang}", expected "${expectedLang}"`);
  if (!document.title.trim()) problems.push('the page has no title');
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements; a page has exactly one`);

  // ids: unique, and every reference points at one
  const ids = {};
  document.querySelectorAll('[id]').forEach((el) => { ids[el.id] = (ids[el.id] || 0) + 1; });
  Object.entries(ids).filter(([, n]) => n > 1).forEach(([id]) => problems.push(`id "${id}" is used twice`));
  document.querySelectorAll('[aria-labelledby], [aria-describedby], label[for]').forEach((el) => {
    const refs = ['aria-labelledby', 'aria-describedby', 'for']
      .flatMap((name) => (el.getAttribute(name) || '').split(/\s+/)).filter(Boolean);
    refs.filter((id) => !document.getElementById(id))
      .forEach((id) => problems.push(`${describe(el)} refers to a missing id "${id}"`));
  });

  // form fields have a label of their own
  document.querySelectorAll('input, select, textarea').forEach((el) => {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) return;
    const labelledBy = (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
      .map((id) => document.getElementById(id)).filter((ref) => ref && ref.textContent.trim());
    const labelled = [...(el.labels || [])].some((label) => label.textContent.trim()) || labelledBy.length;
    if (!labelled) problems.push(`${describe(el)} has no label`);
  });

  // images and SVG have a text alternative
  document.querySelectorAll('img').forEach((el) => {
    if (!el.hasAttribute('alt')) problems.push(`${describe(el)} has no alt attribute`);
  });
  document.querySelectorAll('svg').forEach((el) => {
    if (el.closest('[aria-hidden="true"]')) return;
    const named = el.getAttribute('aria-label') ||
      (el.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
        .map((id) => document.getElementById(id)).some((ref) => ref && ref.textContent.trim()) ||
      (el.querySelector(':scope > title') || {}).textContent;
    if (el.getAttribute('role') !== 'img' || !named) problems.push('an svg without role="img" and a name');
  });
  document.querySelectorAll('table').forEach((el) => {
    const caption = el.querySelector('caption');
    if (!(caption && caption.textContent.trim()) && !el.getAttribute('aria-label') &&
        !el.getAttribute('aria-labelledby')) problems.push('a table without a caption');
  });

  // text contrast: every visible text node against what it is painted on
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const el = node.parentElement;
    if (!text || !el || ['SCRIPT', 'STYLE', 'TITLE', 'DESC', 'OPTION'].includes(el.tagName.toUpperCase())) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
    if (!rects.length || rects.every((r) => r.right <= 0 || r.bottom <= 0)) continue;  // not painted, or off-screen
    if (!el.checkVisibility({ visibilityProperty: true })) continue;
    texts.push(text);
    const style = getComputedStyle(el);
    const svg = el instanceof SVGElement;
    const fg = parse(svg ? style.fill : style.color);
    const bg = backgroundOf(svg ? el.ownerSVGElement || el : el);
    if (!fg || !bg) { problems.push(`cannot judge the contrast of ${describe(el)}`); continue; }
    const needed = isLarge(style) ? 3 : 4.5;
    const got = ratio(over(fg, bg), bg);
    const key = `${el.tagName}|${style.color}|${bg}`;
    if (got < needed && !seen.has(key)) {
      seen.add(key);
      problems.push(`contrast ${got.toFixed(2)}:1 < ${needed}:1 for ${describe(el)}`);
    }
  }

  // the words on controls that are not text nodes
  document.querySelectorAll('[aria-label], [title], [placeholder], input[type=submit], input[type=button]')
    .forEach((el) => {
      ['aria-label', 'title', 'placeholder', 'value'].forEach((name) => {
        const value = name === 'value' ? (el.type === 'submit' || el.type === 'button') && el.value
          : el.getAttribute(name);
        if (value && value.trim()) texts.push(value.trim());
      });
    });

  // the edges of form controls against their surroundings (1.4.11)
  document.querySelectorAll('input:not([type=hidden]), select, textarea, button').forEach((el) => {
    if (!el.checkVisibility() || el.disabled) return;
    const style = getComputedStyle(el);
    // Chromium paints native radio buttons and checkboxes itself, with a 4.5:1 grey edge.
    if (['radio', 'checkbox'].includes(el.type) && style.appearance !== 'none') return;
    const around = backgroundOf(el.parentElement);
    const border = parse(style.borderTopColor), fill = parse(style.backgroundColor);
    if (!around) return;
    const edge = Math.max(
      parseFloat(style.borderTopWidth) > 0 && border ? ratio(over(border, around), around) : 1,
      fill ? ratio(over(fill, around), around) : 1,
    );
    if (edge < 3) problems.push(`the edge of ${describe(el)} has ${edge.toFixed(2)}:1 against its surroundings`);
    // what the control itself shows (a select's choice, an input's value) against its own fill
    const own = backgroundOf(el), fg = parse(style.color);
    if (own && fg && ratio(over(fg, own), own) < 4.5) {
      problems.push(`text contrast ${ratio(over(fg, own), own).toFixed(2)}:1 inside ${describe(el)}`);
    }
  });
  // headings go down one level at a time (1.3.1): no h2 followed by an h4
  let level = 0;
  document.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach((el) => {
    const next = +el.tagName[1];
    if (next > level + 1) problems.push(`${describe(el)} is an h${next} after an h${level}`);
    level = next;
  });

  // targets of at least 24 by 24 CSS pixels (2.5.8), except links inside a sentence
  document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').forEach((el) => {
    if (!el.checkVisibility() || el.closest('p, td, th, dd')) return;
    // A click on a control's label works the control: the label is part of the target.
    const boxes = [el, ...(el.labels || [])].map((part) => part.getBoundingClientRect());
    if (boxes[0].right <= 0) return;  // the skip link, until it is focused
    const width = Math.max(...boxes.map((b) => b.width)), height = Math.max(...boxes.map((b) => b.height));
    if (width < 24 || height < 24) {
      problems.push(`${describe(el)} is ${width.toFixed(0)}×${height.toFixed(0)} px, under 24×24`);
    }
  });

  // a control's accessible name contains the words it shows, so speech input can say them (2.5.3)
  document.querySelectorAll('a[aria-label], button[aria-label], summary[aria-label]').forEach((el) => {
    const shown = el.textContent.trim().replace(/\s+/g, ' ').toLowerCase();
    if (shown && !el.getAttribute('aria-label').toLowerCase().includes(shown)) {
      problems.push(`${describe(el)}: its name "${el.getAttribute('aria-label')}" lacks the text it shows`);
    }
  });
  return { problems, texts };
}"""
)

_FOCUS_JS = (
    "() => {"
    + _COLOUR_JS
    + r"""
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const bg = backgroundOf(el.parentElement) || [255, 255, 255, 1];
  const candidates = [];
  if (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) candidates.push(parse(style.outlineColor));
  const shadow = style.boxShadow.match(/rgba?\([^)]*\)/g) || [];
  if (style.boxShadow !== 'none') shadow.forEach((c) => candidates.push(parse(c)));
  const best = Math.max(1, ...candidates.filter(Boolean).map((c) => ratio(over(c, bg), bg)));
  let text = null;
  const own = backgroundOf(el), fg = parse(style.color);
  if (own && fg && (el.textContent || '').trim()) {
    const got = ratio(over(fg, own), own), needed = isLarge(style) ? 3 : 4.5;
    if (got < needed) text = `${got.toFixed(2)}:1`;
  }
  return { name: describe(el), indicator: best, text, key: el.tagName + '#' + (el.id || '') + el.textContent };
}"""
)

# How many Tab stops the page should have: a group of radio buttons is one stop.
_CONTROLS_JS = r"""() => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, '
    + '[tabindex]:not([tabindex="-1"])';
  const stops = new Set();
  document.querySelectorAll(selector).forEach((el) => {
    if (!el.checkVisibility() || el.disabled) return;
    stops.add(el.type === 'radio' && el.name ? 'radio:' + el.name : el);
  });
  return stops.size;
}"""

INTERACTIVE_ROLES = {
    "button", "link", "textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "switch",
    "slider", "spinbutton", "menuitem", "tab", "DisclosureTriangle", "image", "img",
}  # fmt: skip
_KEY = re.compile(r"^[a-z]+(?:_[a-z0-9]+)+$")


def _nameless_in_accessibility_tree(page: playwright.Page) -> list[str]:
    """Chromium's own accessible-name computation, through the DevTools protocol."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    problems = []
    for node in nodes:
        role = node.get("role", {}).get("value", "")
        name = str(node.get("name", {}).get("value", "")).strip()
        if node.get("ignored") or role not in INTERACTIVE_ROLES or name:
            continue
        problems.append(f"role {role} without an accessible name")
    return problems


def _focus_walk(page: playwright.Page, controls: int) -> list[str]:
    """Tab through the page: each stop shows a focus indicator of 3:1; every control is reached."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0)")
    problems, reached = [], set()
    for _ in range(controls * 4 + 10):
        page.keyboard.press("Tab")
        found: dict[str, Any] | None = page.evaluate(_FOCUS_JS)
        if found is None:
            break
        if found["key"] in reached:
            continue  # a date field's parts, or round again
        reached.add(found["key"])
        if found["indicator"] < 3:
            problems.append(f"focus on {found['name']} shows no indicator of 3:1 ({found['indicator']:.2f}:1)")
        if found["text"]:
            problems.append(f"focused {found['name']} has text contrast {found['text']}")
    if len(reached) < controls:
        problems.append(f"Tab reached {len(reached)} of {controls} controls")
    return problems


def _pattern(text: str) -> re.Pattern[str] | None:
    """A text of i18n as a regex over the page's words; None when too little of it is fixed words."""
    parts = re.split(r"\{[a-z_]*\}", text.replace("{{", "{").replace("}}", "}"))
    if sum(len(re.sub(r"\W", "", part)) for part in parts) < 3:
        return None
    return re.compile(r"(?<!\w)" + r".+?".join(re.escape(part) for part in parts) + r"(?!\w)")


def untranslated(texts: list[str], language: str) -> list[str]:
    """Texts on the page that are the other language's words for a key, or a raw key."""
    other = "en" if language == "nl" else "nl"
    own_values = set(TEXTS[language].values())
    problems = []
    for key, value in TEXTS[other].items():
        if value == TEXTS[language].get(key) or value in own_values:
            continue
        pattern = _pattern(value)
        if pattern is None:
            continue
        single_word = " " not in value.strip()
        for text in texts:
            hit = pattern.fullmatch(text) if single_word else pattern.search(text)
            if hit:
                problems.append(f"untranslated ({other} {key!r}): {text[:60]!r}")
                break
    problems += [f"a raw text key on the page: {text!r}" for text in texts if _KEY.match(text) and text in TEXTS["en"]]
    return problems


def _reflow(page: playwright.Page) -> list[str]:
    """At 320 CSS pixels wide the page scrolls only down, not sideways (1.4.10); wide tables scroll by themselves."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        wide: list[str] = page.evaluate(
            """() => {
              const limit = document.documentElement.clientWidth;
              if (document.documentElement.scrollWidth <= limit + 1) return [];
              return [...document.body.querySelectorAll('*')].filter((el) => {
                const box = el.getBoundingClientRect();
                return box.right > limit + 1 && el.checkVisibility() && !el.parentElement.closest('.table-scroll');
              }).slice(0, 3).map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
            }"""
        )
    finally:
        if size:
            page.set_viewport_size(size)
    return [f"at 320 px wide, {element} runs off the screen" for element in wide]


def audit_page(page: playwright.Page, language: str, focus: bool = True) -> list[str]:
    """Every problem found on the page as it is now; an empty list is a pass."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    found: dict[str, Any] = page.evaluate(_SCAN_JS, language)
    problems: list[str] = list(found["problems"])
    problems += _nameless_in_accessibility_tree(page)
    problems += untranslated(found["texts"], language)
    problems += _reflow(page)
    if focus:
        controls = page.evaluate(_CONTROLS_JS)
        problems += _focus_walk(page, controls)
    return problems
