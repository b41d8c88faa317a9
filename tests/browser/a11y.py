"""Accessibility checks for the browser tests: axe-core's rules on a page, and the size of what a thumb must hit.

axe-core comes with `axe-playwright-python` (pinned in requirements.txt), which evaluates it through the browser's
debugging protocol, so the app's Content-Security-Policy (script-src 'self') does not block it."""
from axe_playwright_python.sync_playwright import Axe

SERIOUS = ('serious', 'critical')
TAP_PX = 44          # WCAG 2.5.5 and Apple's HIG: the least side of a touch target
_axe = Axe()

# What a phone's thumb can tap: links, buttons, form controls, and labels that stand for a hidden control.
TARGETS_JS = r"""() => {
  const seen = [];
  const words = (block) => {          // the block's own text, without its links' and buttons'
    let text = block.textContent;
    for (const c of block.querySelectorAll('a, button')) text = text.replace(c.textContent, '');
    return text.replace(/[\s·|←→:：,，.。()（）-]/g, '').length;
  };
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button], label:has(> input[type=radio]), label:has(> input[type=checkbox])';
  for (const el of document.querySelectorAll(sel)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (el.closest('[hidden], .sr-only')) continue;
    if (el.matches('input[type=radio], input[type=checkbox]') && el.closest('label')) continue;   // the label is the target
    if (el.matches('input') && el.closest('.btn')) continue;                                          // a file input inside its button
    // A link inside a sentence is exempt (WCAG 2.5.5 "inline"); a link alone, or beside other links, is not.
    if (el.tagName === 'A' && style.display === 'inline' && el.parentElement && words(el.parentElement) > 2) continue;
    seen.push({tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || el.name || el.getAttribute('aria-label') || '').trim().slice(0, 40),
               cls: el.className && typeof el.className === 'string' ? el.className : '',
               w: Math.round(r.width), h: Math.round(r.height)});
  }
  return seen;
}"""


def serious_violations(page):
    """axe-core's serious and critical findings on the page as it is now: ['rule (impact): target …', …]."""
    results = _axe.run(page).response
    found = []
    for v in results['violations']:
        if v['impact'] in SERIOUS:
            for node in v['nodes'][:5]:
                found.append('%s (%s): %s — %s' % (v['id'], v['impact'], ' '.join(node['target'][0:1]) if isinstance(node['target'][0], str) else node['target'],
                                                   node.get('failureSummary', '').replace('\n', ' ')[:200]))
    return found


def small_targets(page, least=TAP_PX):
    """The tap targets on the page smaller than `least` px in height (or width), as 'tag "text" WxH'."""
    return ['%s.%s "%s" %dx%d' % (t['tag'], t['cls'].replace(' ', '.'), t['text'], t['w'], t['h'])
            for t in page.evaluate(TARGETS_JS) if t['h'] < least or t['w'] < least]
