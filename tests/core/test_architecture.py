"""The house's layering, read from the code with ast: areas import each other one way only, no module imports
itself round a loop, the public status page is a leaf nobody imports, no file grows into several modules."""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / 'app'
MAX_LINES = 700


def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix('')
    parts = list(rel.parts)
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


def _modules():
    return {_module_name(p): p for p in APP.rglob('*.py')}


def _imports(path, modules):
    """Every app module a file imports, at module level or inside a function (a cycle is a cycle either way)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from app.x import y` names the module app.x.y when there is one, else something in app.x
            names = [node.module + '.' + a.name if node.module + '.' + a.name in modules else node.module
                     for a in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith('app.') or n == 'app')
    return found


def _graph():
    modules = _modules()
    return {name: {t for t in _imports(path, modules) if t in modules and t != name} for name, path in modules.items()}


def _area(module):
    parts = module.split('.')
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (APP / parts[1]).is_dir()) else None


def _cycles(graph):
    """The strongly connected components with more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_areas():
    """An area reaching back into an area that imports it makes every change ripple through both."""
    areas = {}
    for module, targets in _graph().items():
        a = _area(module)
        if a is None:
            continue
        areas.setdefault(a, set()).update(b for b in map(_area, targets) if b and b != a)
    assert _cycles(areas) == []


def test_no_import_cycle_inside_an_area():
    """Two modules of one area importing each other: the shared piece belongs in one of them, or below both."""
    assert _cycles(_graph()) == []


def test_the_public_status_page_is_a_leaf():
    """An area importing the customer's status page would tie staff work to a public page (app.reception.links
    issues and revokes the links)."""
    users = sorted(m for m, targets in _graph().items() if _area(m) != 'status'
                   and any(_area(t) == 'status' for t in targets))
    assert users == []


def test_core_imports_no_area():
    """The shared core sits below every workflow area."""
    graph = _graph()
    core = {m: sorted(t for t in graph[m] if _area(t) not in (None, 'core')) for m in graph if _area(m) == 'core'}
    assert {m: t for m, t in core.items() if t} == {}


def test_no_file_is_several_modules():
    """A module past 700 lines is several modules; it is split along the sections it already has."""
    long = {str(p.relative_to(ROOT)): n for p in APP.rglob('*.py')
            if (n := len(p.read_text(encoding='utf-8').splitlines())) > MAX_LINES}
    assert long == {}


def test_htmx_headers_through_flask_htmx():
    """htmx's request and response headers are read and written through flask-htmx, not spelled out by hand."""
    spelled = sorted(str(p.relative_to(ROOT)) for p in APP.rglob('*.py')
                     if "headers.get('HX-" in p.read_text(encoding='utf-8')
                     or "headers['HX-" in p.read_text(encoding='utf-8'))
    assert spelled == []
